"""The command line: argument parsing here, work in ``tracker.services``."""
