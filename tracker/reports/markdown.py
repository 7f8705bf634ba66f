"""Document to Markdown (GitHub flavour): for email, wikis and the TUI's preview."""

from __future__ import annotations

from tracker.exports.table import display, markdown_cell
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock


def _table(block: TableBlock) -> list[str]:
    lines = []
    if block.caption:
        lines += [f"*{markdown_cell(block.caption)}*", ""]
    if not block.rows:
        return [*lines, block.empty, ""]
    lines.append("| " + " | ".join(markdown_cell(c.title) for c in block.columns) + " |")
    lines.append(
        "|" + "|".join("---:" if c.kind in ("int", "money") else "---" for c in block.columns) + "|"
    )
    for row in block.rows:
        cells = [markdown_cell(display(v, c.kind)) for v, c in zip(row, block.columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_markdown(document: Document) -> str:
    lines = [f"**{document.marking}**", "", f"# {document.title}"]
    if document.subtitle:
        lines += ["", document.subtitle]
    lines.append("")
    if document.header:
        lines += [" · ".join(f"**{k}:** {v}" for k, v in document.header), ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += ["#" * min(block.level + 1, 6) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [block.text.strip(), ""]
        elif isinstance(block, Facts):
            lines += ["| | |", "|---|---|"]
            lines += [f"| **{markdown_cell(k)}** | {markdown_cell(v)} |" for k, v in block.rows]
            lines.append("")
        elif isinstance(block, TableBlock):
            lines += _table(block)
        elif isinstance(block, Note):
            prefix = "**Note:** " if block.tone == "info" else "**Warning:** "
            lines += ["> " + prefix + block.text.strip().replace("\n", "\n> "), ""]
    lines.append(f"**{document.marking}**")
    return "\n".join(lines) + "\n"
