"""Pure page parsers, one module per site plus the shared forum engine."""
