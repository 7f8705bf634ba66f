"""Printed documents: built from the data as a ``Document`` (``document.py``) and rendered by one
pipeline to Markdown, HTML, PDF or text."""
