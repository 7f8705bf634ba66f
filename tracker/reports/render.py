"""The one report pipeline: a ``Document`` to Markdown, HTML, PDF or plain text, as bytes or
into a file. Each renderer is imported only when its format is asked for (ReportLab costs a
few hundred milliseconds to load, and the TUI and most commands never need it)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tracker.reports.document import Document

FORMATS = ("md", "html", "pdf", "txt")
ALIASES = {"markdown": "md", "text": "txt", "htm": "html"}
BINARY = {"pdf"}
SUFFIX = {"md": ".md", "html": ".html", "pdf": ".pdf", "txt": ".txt"}


def report_format(name: str) -> str:
    """The canonical name of a report format, or ValueError naming the choices."""
    wanted = ALIASES.get(name.strip().lower(), name.strip().lower())
    if wanted not in FORMATS:
        raise ValueError(f"unknown report format {name!r}; choose one of: {', '.join(FORMATS)}")
    return wanted


def render_text_format(document: Document, fmt: str) -> str:
    fmt = report_format(fmt)
    if fmt == "md":
        from tracker.reports.markdown import render_markdown

        return render_markdown(document)
    if fmt == "html":
        from tracker.reports.html import render_html

        return render_html(document)
    if fmt == "txt":
        from tracker.reports.text import render_text

        return render_text(document)
    raise ValueError(f"{fmt} is a binary format")


def render_bytes(document: Document, fmt: str) -> bytes:
    """The document in ``fmt``; text formats are UTF-8."""
    fmt = report_format(fmt)
    if fmt == "pdf":
        from tracker.reports.pdf import render_pdf

        return render_pdf(document)
    return render_text_format(document, fmt).encode("utf-8")


def write_report(document: Document, fmt: str, path: Path) -> int:
    """Write the document to ``path`` atomically (a failure never leaves a partial file);
    returns the number of bytes written."""
    data = render_bytes(document, fmt)
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return len(data)
