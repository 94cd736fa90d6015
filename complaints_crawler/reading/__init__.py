"""Tools for the people who read the archive: search, export, read-only SQL, browsing and reports."""
