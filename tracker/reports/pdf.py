"""Document to PDF with ReportLab's platypus: A4 portrait, the protective marking at the top and
bottom of every page, a running header with the project, the period and the report, "Page n of
m", tables whose header rows repeat on every page they run onto (rows split cleanly, a very
tall row within itself), and RAG cells in colour with a shape and the word, so a black-and-white
print still reads.

Output is reproducible: ReportLab's invariant mode fixes the creation date and document id, so
the same Document gives the same bytes (an issued report reprints byte for byte). This module
imports ReportLab at the top and is itself imported only when a PDF is asked for.
"""

from __future__ import annotations

import io
from html import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph

from tracker.exports.table import INT, MONEY, RAG, TEXT, display
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock
from tracker.reports.prose import Span, blocks
from tracker.reports.style import ACCENT, INK, MUTED, PANEL, RAG_COLOURS, RULE, WARNING_EDGE
from tracker.reports.style import rag_label as _rag_label

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = RIGHT = 16 * mm
TOP = 24 * mm
BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - LEFT - RIGHT
BODY_SIZE = 9.5
TABLE_SIZE = 8.5
SAMPLE_ROWS = 300  # rows measured when sizing a table's columns
PADDING = 8  # horizontal cell padding, both sides together
SLACK = 3  # points a column gets beyond its measured text, so a word that fits is not broken
MARK_WIDTH = 9  # the RAG shape and its space (drawn from ZapfDingbats, not measured in Helvetica)
SHORT_TEXT = 90  # points: text this narrow is kept on one line

FONT, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"

STYLES = {
    "title": ParagraphStyle(
        "title", fontName=BOLD, fontSize=20, leading=24, textColor=colors.HexColor(INK)
    ),
    "subtitle": ParagraphStyle(
        "subtitle",
        fontName=FONT,
        fontSize=13,
        leading=17,
        textColor=colors.HexColor(MUTED),
        spaceAfter=8,
    ),
    "h2": ParagraphStyle(
        "h2",
        fontName=BOLD,
        fontSize=13,
        leading=16,
        spaceBefore=12,
        spaceAfter=5,
        textColor=colors.HexColor(ACCENT),
    ),
    "h3": ParagraphStyle(
        "h3", fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=BODY_SIZE, leading=12.5, spaceAfter=4),
    "bullet": ParagraphStyle(
        "bullet",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=12.5,
        leftIndent=14,
        bulletIndent=3,
        spaceAfter=2,
    ),
    "caption": ParagraphStyle(
        "caption", fontName=BOLD, fontSize=9, leading=11, spaceBefore=4, spaceAfter=2
    ),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=TABLE_SIZE, leading=10.2),
    "number": ParagraphStyle(
        "number", fontName=FONT, fontSize=TABLE_SIZE, leading=10.2, alignment=TA_RIGHT
    ),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=TABLE_SIZE, leading=10.2),
    "head_number": ParagraphStyle(
        "head_number", fontName=BOLD, fontSize=TABLE_SIZE, leading=10.2, alignment=TA_RIGHT
    ),
    "empty": ParagraphStyle(
        "empty",
        fontName=ITALIC,
        fontSize=BODY_SIZE,
        leading=12.5,
        textColor=colors.HexColor(MUTED),
        spaceAfter=4,
    ),
    "note": ParagraphStyle("note", fontName=FONT, fontSize=9, leading=11.5),
    "marking": ParagraphStyle("marking", fontName=BOLD, fontSize=10, alignment=TA_CENTER),
}
RAG_STYLES = {
    name: ParagraphStyle(
        f"rag-{name}",
        fontName=BOLD,
        fontSize=TABLE_SIZE,
        leading=10.2,
        textColor=colors.HexColor(fg),
    )
    for name, (_, fg) in RAG_COLOURS.items()
}


def _markup(text: str) -> str:
    """Plain text as ReportLab paragraph markup: escaped, line breaks kept."""
    return escape(text, quote=False).replace("\n", "<br/>")


def _inline(items: tuple[Span, ...]) -> str:
    out = []
    for text, style in items:
        safe = escape(text, quote=False)
        if style == "b":
            safe = f"<b>{safe}</b>"
        elif style == "i":
            safe = f"<i>{safe}</i>"
        elif style == "code":
            safe = f'<font face="Courier">{safe}</font>'
        out.append(safe)
    return "".join(out)


def _prose(text: str) -> list:
    flowables = []
    for part in blocks(text):
        if part.kind == "paragraph":
            flowables.append(PdfParagraph(_inline(part.items[0]), STYLES["body"]))
            continue
        for n, item in enumerate(part.items, start=part.start):
            mark = "•" if part.kind == "bullets" else f"{n}."
            flowables.append(PdfParagraph(_inline(item), STYLES["bullet"], bulletText=mark))
        flowables.append(Spacer(1, 3))
    return flowables


# --------------------------------------------------------------------------- tables


def _text_width(text: str, font: str = FONT, size: float = TABLE_SIZE) -> float:
    return stringWidth(text, font, size)


def _column_widths(block: TableBlock, cells: list[list[str]]) -> tuple[list[float], list[float]]:
    """Widths that fill the frame. A column of numbers, dates, ratings or short text never
    wraps (nor does its heading, where there is room); a long text column needs at least its
    longest word. Room left over goes to the columns that would otherwise wrap, in proportion
    to how much they hold. A table of numbers alone keeps its natural widths. Returns the
    widths and each column's natural (one-line) width."""
    n = len(block.columns)
    whole, words, natural = [], [], []
    for i, column in enumerate(block.columns):
        values = [row[i] for row in cells[:SAMPLE_ROWS]]
        font, extra = (BOLD, MARK_WIDTH) if column.kind == RAG else (FONT, 0)
        widest = max((_text_width(v, font) + extra for v in values), default=0.0)
        longest_word = max((_text_width(w, font) for v in values for w in v.split()), default=0.0)
        title_word = max((_text_width(w, BOLD) for w in column.title.split()), default=0.0)
        title = _text_width(column.title, BOLD)
        if column.kind != TEXT or widest <= SHORT_TEXT:
            whole.append(min(max(widest, title), FRAME_WIDTH / 2) + PADDING + SLACK)
            words.append(min(max(widest, title_word), FRAME_WIDTH / 2) + PADDING + SLACK)
        else:
            narrowest = min(max(longest_word, title_word), FRAME_WIDTH / 3) + PADDING + SLACK
            whole.append(narrowest)
            words.append(narrowest)
        natural.append(max(widest, title) + PADDING + SLACK)
    widths = whole if sum(whole) <= FRAME_WIDTH * 0.85 else words
    spare = FRAME_WIDTH - sum(widths)
    if spare < 0:  # too many columns for the page: shrink every column in proportion
        return [w * FRAME_WIDTH / sum(widths) for w in widths], natural
    wants = [max(0.0, natural[i] - widths[i]) for i in range(n)]
    if sum(wants) > spare:
        return [widths[i] + spare * wants[i] / sum(wants) for i in range(n)], natural
    widths = [max(widths[i], natural[i]) for i in range(n)]
    spare = FRAME_WIDTH - sum(widths)
    text_columns = [i for i, c in enumerate(block.columns) if c.kind == TEXT]
    if not text_columns:
        return widths, natural
    share = sum(widths[i] for i in text_columns)
    widened = [w + (spare * w / share if i in text_columns else 0) for i, w in enumerate(widths)]
    return widened, natural


def _table(block: TableBlock) -> list:
    flowables = []
    caption = PdfParagraph(_markup(block.caption), STYLES["caption"]) if block.caption else None
    if not block.rows:
        empty = PdfParagraph(_markup(block.empty), STYLES["empty"])
        return [KeepTogether([caption, empty])] if caption else [empty]
    cells = [
        [display(v, c.kind) for v, c in zip(row, block.columns, strict=True)] for row in block.rows
    ]
    widths, natural = _column_widths(block, cells)
    numeric = [c.kind in (INT, MONEY) for c in block.columns]
    # A column wide enough for its longest text is drawn as plain strings: the same look as a
    # paragraph, at a fraction of the cost (most cells of a long table are numbers and dates).
    one_line = [
        widths[i] >= natural[i] - 0.5 and not any("\n" in row[i] for row in cells)
        for i in range(len(block.columns))
    ]
    header = [
        PdfParagraph(_markup(c.title), STYLES["head_number" if numeric[i] else "head"])
        for i, c in enumerate(block.columns)
    ]
    data = [header]
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(PANEL)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING / 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.HexColor(INK)),
        ("FONTNAME", (0, 1), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), TABLE_SIZE),
        ("LEADING", (0, 1), (-1, -1), 10.2),
        ("TEXTCOLOR", (0, 1), (-1, -1), colors.HexColor(INK)),
    ]
    for c, right in enumerate(numeric):
        if right:
            commands.append(("ALIGN", (c, 1), (c, -1), "RIGHT"))
    for r, (raw, texts) in enumerate(zip(block.rows, cells, strict=True), start=1):
        row = []
        for c, (value, text, column) in enumerate(zip(raw, texts, block.columns, strict=True)):
            if column.kind == RAG and value:
                background, ink = RAG_COLOURS.get(value, (PANEL, INK))
                commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(background)))
                if one_line[c]:
                    commands.append(("FONTNAME", (c, r), (c, r), BOLD))
                    commands.append(("TEXTCOLOR", (c, r), (c, r), colors.HexColor(ink)))
                    row.append(_rag_label(value))
                else:
                    row.append(
                        PdfParagraph(
                            _markup(_rag_label(value)), RAG_STYLES.get(value, STYLES["cell"])
                        )
                    )
            elif one_line[c]:
                row.append(text)
            else:
                style = STYLES["number" if numeric[c] else "cell"]
                row.append(PdfParagraph(_markup(text), style))
        data.append(row)
    table = Table(
        data,
        colWidths=widths,
        repeatRows=1,
        splitByRow=1,
        splitInRow=1,
        hAlign="LEFT",
        style=TableStyle(commands),
    )
    if caption is not None:
        flowables.append(CondPageBreak(60))
        flowables.append(caption)
    flowables += [table, Spacer(1, 6)]
    return flowables


def _facts(block: Facts) -> list:
    label_width = 34 * mm
    data = [
        [PdfParagraph(_markup(k), STYLES["head"]), PdfParagraph(_markup(v), STYLES["cell"])]
        for k, v in block.rows
    ]
    table = Table(
        data,
        colWidths=[label_width, FRAME_WIDTH - label_width],
        hAlign="LEFT",
        splitInRow=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(PANEL)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )
    return [table, Spacer(1, 6)]


def _note(block: Note) -> list:
    edge = WARNING_EDGE if block.tone == "warning" else ACCENT
    table = Table(
        [[PdfParagraph(_markup(block.text), STYLES["note"])]],
        colWidths=[FRAME_WIDTH],
        hAlign="LEFT",
        splitInRow=1,
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(PANEL)),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(edge)),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )
    return [table, Spacer(1, 6)]


def _flowables(document: Document) -> list:
    story: list = [
        PdfParagraph(_markup(document.title), STYLES["title"]),
        Spacer(1, 3),
    ]
    if document.subtitle:
        story.append(PdfParagraph(_markup(document.subtitle), STYLES["subtitle"]))
    pending_heading = None
    for block in document.blocks:
        if isinstance(block, Heading):
            style = STYLES["h2" if block.level <= 2 else "h3"]
            heading = PdfParagraph(_markup(block.text), style)
            if pending_heading is not None:
                story.append(pending_heading)
            pending_heading = heading
            continue
        if isinstance(block, Paragraph):
            parts = _prose(block.text)
        elif isinstance(block, Facts):
            parts = _facts(block)
        elif isinstance(block, TableBlock):
            parts = _table(block)
        else:
            parts = _note(block)
        if pending_heading is not None:
            # A heading never ends a page: it goes with (the start of) what follows it.
            story.append(CondPageBreak(70))
            story.append(pending_heading)
            pending_heading = None
        story += parts
    if pending_heading is not None:
        story.append(pending_heading)
    return story


# --------------------------------------------------------------------------- pages


def _canvas_maker(document: Document):
    """A canvas that holds back every page until the end, so each can say "Page n of m"."""
    left = " · ".join(f"{k} {v}" for k, v in document.header[:1])
    right = " · ".join(f"{k} {v}" for k, v in document.header[1:])

    class PagedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            self.setFillColor(colors.HexColor(INK))
            self.setFont(BOLD, 10)
            self.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, document.marking)
            self.drawCentredString(PAGE_WIDTH / 2, 9 * mm, document.marking)
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor(MUTED))
            self.drawString(LEFT, PAGE_HEIGHT - 17 * mm, _fit(left, FRAME_WIDTH / 2 - 4))
            self.drawRightString(
                PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 17 * mm, _fit(right, FRAME_WIDTH / 2 - 4)
            )
            self.setStrokeColor(colors.HexColor(ACCENT))
            self.setLineWidth(1.2)
            self.line(LEFT, PAGE_HEIGHT - 19 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 19 * mm)
            self.setStrokeColor(colors.HexColor(RULE))
            self.setLineWidth(0.5)
            self.line(LEFT, 14 * mm, PAGE_WIDTH - RIGHT, 14 * mm)
            self.drawString(LEFT, 9 * mm, _fit(document.title, FRAME_WIDTH / 2 - 40))
            self.drawRightString(PAGE_WIDTH - RIGHT, 9 * mm, f"Page {number} of {total}")
            self.restoreState()

    return PagedCanvas


def _watermark(document: Document):
    """Drawn on each page before its content, so the content stays readable over it."""

    def draw(canvas, _doc) -> None:
        if not document.watermark:
            return
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(PANEL))
        canvas.setFont(BOLD, 110)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, -38, document.watermark)
        canvas.restoreState()

    return draw


def _fit(text: str, width: float) -> str:
    """Text cut (with an ellipsis) to fit a header or footer slot."""
    if stringWidth(text, FONT, 8) <= width:
        return text
    while text and stringWidth(text + "…", FONT, 8) > width:
        text = text[:-1]
    return text + "…"


def render_pdf(document: Document) -> bytes:
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=document.title + (f": {document.subtitle}" if document.subtitle else ""),
        author="tracker",
        subject=f"{document.marking} · " + " · ".join(f"{k} {v}" for k, v in document.header),
        creator="tracker",
        invariant=1,
    )
    frame = Frame(
        LEFT,
        BOTTOM,
        FRAME_WIDTH,
        PAGE_HEIGHT - TOP - BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    template.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPage=_watermark(document))]
    )
    template.build(_flowables(document), canvasmaker=_canvas_maker(document))
    return buffer.getvalue()
