"""tracker: PRINCE2 project governance from the terminal."""

__version__ = "0.1.0"
