"""The `engram` command line: a thin shell over the engine."""
