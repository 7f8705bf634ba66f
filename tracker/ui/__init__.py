"""The Textual user interface: the only package that imports Textual. Screens call services in
``tracker.services`` from thread workers and never hold a database session."""
