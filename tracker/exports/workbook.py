"""XLSX output for people: a bold, frozen, filtered header; sensible widths; dates as dates; money
as currency; RAG cells filled in colour and still carrying the word; extra sheets for keys."""

from __future__ import annotations

from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tracker.exports.table import (
    BOOL,
    DATE,
    INT,
    MONEY,
    RAG,
    TEXT,
    Progress,
    Table,
    _counted,
    display,
)

RAG_FILLS = {
    "green": "C6EFCE",
    "amber": "FFEB9C",
    "red": "FFC7CE",
    "blue": "BDD7EE",
    "not started": "EDEDED",
}
FIXED_WIDTHS = {DATE: 12, MONEY: 15, RAG: 10, INT: 9, BOOL: 7}
SAMPLE_ROWS = 200
MAX_TEXT_WIDTH = 60


def _fill(rag: str | None) -> PatternFill | None:
    colour = RAG_FILLS.get(rag or "")
    return PatternFill("solid", start_color=colour, end_color=colour) if colour else None


def _cell(ws, value: Any, kind: str) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(ws, value=None)
    if kind == DATE:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    if kind == MONEY:
        cell = WriteOnlyCell(ws, value=Decimal(value) / 100)
        cell.number_format = '"£"#,##0.00'
        return cell
    if kind == RAG:
        cell = WriteOnlyCell(ws, value=display(value, RAG))
        fill = _fill(value)
        if fill:
            cell.fill = fill
        return cell
    if kind in (INT,):
        return WriteOnlyCell(ws, value=value)
    text = display(value, kind)
    cell = WriteOnlyCell(ws, value=text)
    # Text is text: a register entry that begins with "=" must never become a formula.
    cell.data_type = "s"
    if kind == TEXT and len(text) > MAX_TEXT_WIDTH:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _widths(table: Table, sample: list) -> list[int]:
    widths = []
    for index, column in enumerate(table.columns):
        if column.kind in FIXED_WIDTHS:
            widths.append(max(FIXED_WIDTHS[column.kind], len(column.title) + 2))
            continue
        longest = max((len(display(row[index], column.kind)) for row in sample), default=0)
        widths.append(min(max(len(column.title) + 2, longest + 2, 10), MAX_TEXT_WIDTH))
    return widths


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


def write_workbook(table: Table, path: Path, progress: Progress | None = None) -> int:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_sheet_title(table.title))
    rows = iter(_counted(table.rows, progress))
    sample = list(islice(rows, SAMPLE_ROWS))
    for index, width in enumerate(_widths(table, sample), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(table.columns))
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(ws, value=column.title)
        cell.font = Font(bold=True)
        cell.data_type = "s"
        header.append(cell)
    ws.append(header)
    count = 0
    for source in (sample, rows):
        for row in source:
            ws.append([_cell(ws, v, c.kind) for v, c in zip(row, table.columns, strict=True)])
            count += 1
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    for extra in table.extra_sheets():
        sheet = workbook.create_sheet(_sheet_title(extra.title))
        for r, values in enumerate(extra.rows):
            cells = []
            for c, value in enumerate(values):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if r == 0:
                    cell.font = Font(bold=True)
                fill = _fill(extra.fills.get((r, c)))
                if fill:
                    cell.fill = fill
                cells.append(cell)
            sheet.append(cells)
    workbook.save(path)
    return count
