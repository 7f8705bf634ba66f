"""Errors a user can act on. Each carries a one-line message; the CLI prints it and exits 1."""


class TrackerError(Exception):
    pass


class NotFound(TrackerError):
    pass


class Conflict(TrackerError):
    pass
