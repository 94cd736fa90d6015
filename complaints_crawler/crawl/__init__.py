"""Running crawls: finish reasons, targets files, incremental refresh plans, run health and progress."""
