"""Document to Markdown (GitHub flavour): for email, wikis and the TUI's preview."""

from __future__ import annotations

from tracker.exports.table import display, markdown_cell
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock


def _cell(text: str) -> str:
    """A table cell Markdown shows literally and that cannot break the table."""
    escaped = text.replace("\\", "\\\\")
    for char in "`*_[]":
        escaped = escaped.replace(char, "\\" + char)
    return markdown_cell(escaped)


def _table(block: TableBlock) -> list[str]:
    lines = []
    if block.caption:
        lines += [f"*{literal(block.caption)}*", ""]
    if not block.rows:
        return [*lines, literal(block.empty), ""]
    lines.append("| " + " | ".join(_cell(c.title) for c in block.columns) + " |")
    lines.append(
        "|" + "|".join("---:" if c.kind in ("int", "money") else "---" for c in block.columns) + "|"
    )
    for row in block.rows:
        cells = [_cell(display(v, c.kind)) for v, c in zip(row, block.columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def literal(text: str) -> str:
    """Plain text (a title, a name, a note) that Markdown shows exactly as it is: HTML is
    escaped as entities and Markdown's inline markers with backslashes."""
    escaped = text.replace("\\", "\\\\")
    for char in "`*_[]":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def prose(text: str) -> str:
    """The project manager's Markdown, with any raw HTML shown as text rather than run."""
    return text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(document: Document) -> str:
    lines = [f"**{literal(document.marking)}**", "", f"# {literal(document.title)}"]
    if document.subtitle:
        lines += ["", literal(document.subtitle)]
    lines.append("")
    if document.watermark:
        lines += [f"**{literal(document.watermark)}**", ""]
    if document.header:
        lines += [" · ".join(f"**{literal(k)}:** {literal(v)}" for k, v in document.header), ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += ["#" * min(block.level + 1, 6) + " " + literal(block.text), ""]
        elif isinstance(block, Paragraph):
            lines += [prose(block.text), ""]
        elif isinstance(block, Facts):
            lines += [f"- **{literal(k)}:** {literal(' '.join(v.split()))}" for k, v in block.rows]
            lines.append("")
        elif isinstance(block, TableBlock):
            lines += _table(block)
        elif isinstance(block, Note):
            prefix = "**Note:** " if block.tone == "info" else "**Warning:** "
            lines += ["> " + prefix + literal(block.text.strip()).replace("\n", "\n> "), ""]
    lines.append(f"**{literal(document.marking)}**")
    return "\n".join(lines) + "\n"
