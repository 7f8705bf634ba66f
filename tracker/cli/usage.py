class UsageError(Exception):
    """Wrong use of the command line: exit 2."""
