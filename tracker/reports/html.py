"""Document to one self-contained HTML file: no scripts, no external fonts, images or styles,
every piece of text escaped, and a print stylesheet for A4 (page margins, the protective marking
and "Page n of m" in the page margins, table header rows repeated on every page, rows kept whole,
RAG colours printed)."""

from __future__ import annotations

from html import escape

from tracker.exports.table import INT, MONEY, RAG, display
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock
from tracker.reports.prose import ProseBlock, Span, blocks
from tracker.reports.style import ACCENT, INK, MUTED, PANEL, RAG_COLOURS, RULE, WARNING_EDGE
from tracker.reports.style import rag_label as _rag_label


def _css_string(text: str) -> str:
    """Text as a CSS string literal, safe inside ``<style>``."""
    out = []
    for char in text:
        if char.isalnum() or char in " .,:;-()·/":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return '"' + "".join(out) + '"'


def _stylesheet(document: Document) -> str:
    running = " · ".join(f"{k} {v}" for k, v in document.header) or document.title
    rag_rules = "\n".join(
        f".rag-{name.replace(' ', '-')} {{ background: {bg}; color: {fg}; }}"
        for name, (bg, fg) in RAG_COLOURS.items()
    )
    return f"""
:root {{ color-scheme: light; }}
body {{ font: 10.5pt/1.45 Arial, Helvetica, sans-serif; color: {INK}; margin: 2em auto;
  max-width: 60em; padding: 0 1.5em; }}
.marking {{ text-align: center; font-weight: bold; letter-spacing: 0.08em; margin: 0.5em 0; }}
.running {{ color: {MUTED}; border-bottom: 2px solid {ACCENT}; padding-bottom: 0.3em; }}
h1 {{ font-size: 20pt; margin: 0.6em 0 0.1em; }}
.subtitle {{ font-size: 13pt; margin: 0 0 1em; color: {MUTED}; }}
h2 {{ font-size: 14pt; border-bottom: 1px solid {RULE}; padding-bottom: 0.15em;
  margin: 1.6em 0 0.5em; }}
h3 {{ font-size: 11.5pt; margin: 1.2em 0 0.4em; }}
h4 {{ font-size: 10.5pt; margin: 1em 0 0.3em; }}
p {{ margin: 0.4em 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; }}
caption {{ text-align: left; font-weight: bold; padding: 0.2em 0; caption-side: top; }}
th, td {{ border: 1px solid {RULE}; padding: 0.25em 0.45em; vertical-align: top;
  text-align: left; }}
thead th {{ background: {PANEL}; }}
td.number {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
td.rag {{ font-weight: bold; white-space: nowrap; }}
table.facts th {{ width: 22%; background: {PANEL}; }}
.empty {{ color: {MUTED}; font-style: italic; }}
.note {{ border-left: 4px solid {ACCENT}; background: {PANEL}; padding: 0.4em 0.7em;
  margin: 0.6em 0; }}
.note.warning {{ border-left-color: {WARNING_EDGE}; }}
{rag_rules}
.rag, thead th {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
@page {{
  size: A4;
  margin: 20mm 15mm 18mm 15mm;
  @top-center {{ content: {_css_string(document.marking)}; font: bold 9pt Arial, sans-serif; }}
  @top-left {{ content: {_css_string(running)}; font: 8pt Arial, sans-serif; color: {MUTED}; }}
  @bottom-center {{ content: {_css_string(document.marking)}; font: bold 9pt Arial, sans-serif; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
    font: 8pt Arial, sans-serif; }}
}}
@media print {{
  body {{ margin: 0; padding: 0; max-width: none; font-size: 9.5pt; }}
  .running {{ display: none; }}
  thead {{ display: table-header-group; }}
  tr, .note {{ break-inside: avoid; }}
  h2, h3, h4, caption {{ break-after: avoid; }}
  h2 {{ break-before: auto; }}
}}
"""


def _inline(items: tuple[Span, ...]) -> str:
    out = []
    for text, style in items:
        safe = escape(text)
        if style == "b":
            safe = f"<strong>{safe}</strong>"
        elif style == "i":
            safe = f"<em>{safe}</em>"
        elif style == "code":
            safe = f"<code>{safe}</code>"
        out.append(safe)
    return "".join(out)


def _prose(parts: list[ProseBlock]) -> list[str]:
    lines = []
    for part in parts:
        if part.kind == "paragraph":
            lines.append(f"<p>{_inline(part.items[0])}</p>")
        else:
            tag = "ul" if part.kind == "bullets" else "ol"
            start = f' start="{part.start}"' if part.kind == "numbered" and part.start != 1 else ""
            lines.append(f"<{tag}{start}>")
            lines += [f"<li>{_inline(item)}</li>" for item in part.items]
            lines.append(f"</{tag}>")
    return lines


def _cell(value, kind: str) -> str:
    if kind == RAG:
        if not value:
            return "<td></td>"
        css = "rag-" + str(value).replace(" ", "-")
        return f'<td class="rag {escape(css)}">{escape(_rag_label(value))}</td>'
    text = escape(display(value, kind)).replace("\n", "<br>")
    if kind in (INT, MONEY):
        return f'<td class="number">{text}</td>'
    return f"<td>{text}</td>"


def _table(block: TableBlock) -> list[str]:
    lines = []
    if not block.rows:
        if block.caption:
            lines.append(f"<p><strong>{escape(block.caption)}</strong></p>")
        return [*lines, f'<p class="empty">{escape(block.empty)}</p>']
    lines.append("<table>")
    if block.caption:
        lines.append(f"<caption>{escape(block.caption)}</caption>")
    lines.append("<thead><tr>")
    lines += [f'<th scope="col">{escape(c.title)}</th>' for c in block.columns]
    lines.append("</tr></thead>")
    lines.append("<tbody>")
    for row in block.rows:
        cells = "".join(_cell(v, c.kind) for v, c in zip(row, block.columns, strict=True))
        lines.append(f"<tr>{cells}</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def render_html(document: Document) -> str:
    head = " · ".join(f"<strong>{escape(k)}:</strong> {escape(v)}" for k, v in document.header)
    title = escape(document.title + (f": {document.subtitle}" if document.subtitle else ""))
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_stylesheet(document)}</style>",
        "</head>",
        "<body>",
        f'<p class="marking">{escape(document.marking)}</p>',
    ]
    if head:
        lines.append(f'<p class="running">{head}</p>')
    if document.watermark:
        lines.append(f'<p class="note warning"><strong>{escape(document.watermark)}</strong></p>')
    lines.append(f"<h1>{escape(document.title)}</h1>")
    if document.subtitle:
        lines.append(f'<p class="subtitle">{escape(document.subtitle)}</p>')
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(block.level, 4)
            lines.append(f"<h{level}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            lines += _prose(blocks(block.text))
        elif isinstance(block, Facts):
            lines.append('<table class="facts"><tbody>')
            lines += [
                f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>'
                for k, v in block.rows
            ]
            lines.append("</tbody></table>")
        elif isinstance(block, TableBlock):
            lines += _table(block)
        elif isinstance(block, Note):
            css = "note warning" if block.tone == "warning" else "note"
            lines.append(f'<p class="{css}">{escape(block.text)}</p>')
    lines += [f'<p class="marking">{escape(document.marking)}</p>', "</body>", "</html>"]
    return "\n".join(lines) + "\n"
