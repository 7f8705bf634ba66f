"""One exporter for every register and list: CSV, TSV, XLSX, JSON and every tabulate format.

A ``Table`` carries typed columns and raw row values (dates as ``date``, money as integer pence,
RAG as its word), so each format writes them its own way: UK dates and plain decimals in CSV,
ISO dates and pence in JSON, real dates and currency cells in Excel, display text in tabulate.

CSV and TSV neutralise formula injection (OWASP): a text cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is prefixed with ``'`` so a spreadsheet shows it as text. HTML
comes from tabulate's escaping ``html`` format; ``unsafehtml`` and ``latex_raw`` are not offered.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.domain.rag import rag_word

TEXT, INT, DATE, MONEY, RAG, BOOL = "text", "int", "date", "money", "rag", "bool"
DATETIME = "datetime"  # aware UTC; shown in UK local time
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ALIASES = {"markdown": "github", "md": "github"}
UNSAFE = {"unsafehtml", "latex_raw"}
OWN_FORMATS = ("csv", "tsv", "xlsx", "json")
BINARY_FORMATS = {"xlsx"}
PROGRESS_EVERY = 1000
WRAP_WIDTH = 60

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT


@dataclass
class Sheet:
    """An extra worksheet for XLSX (scales, keys, matrices); other formats ignore it."""

    title: str
    rows: list[list[Any]]
    fills: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> rag


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    # Made only when a workbook is written: the risk log's grids count every risk, which a CSV
    # export has no use for.
    extra_sheets: Callable[[], list[Sheet]] = list


def table_formats() -> list[str]:
    from tabulate import tabulate_formats

    tabulate_own = [f for f in tabulate_formats if f not in UNSAFE and f != "tsv"]
    return sorted({*OWN_FORMATS, *tabulate_own, *ALIASES})


def normalise_format(name: str) -> str:
    """The canonical name of an export format, or ValueError naming the choices."""
    wanted = name.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    if wanted in UNSAFE or wanted not in {ALIASES.get(f, f) for f in table_formats()}:
        raise ValueError(f"unknown format {name!r}; choose one of: {', '.join(table_formats())}")
    return wanted


def _yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def _pounds(pence: int) -> str:
    """Money for a spreadsheet: plain pounds, pence only when there are some."""
    return f"{pence / 100:.2f}" if pence % 100 else str(pence // 100)


# How each kind of value is shown to a person (tables) and written for a spreadsheet (CSV, TSV);
# looked up once per column, not once per cell, because a log of 100,000 risks has millions.
DISPLAY: dict[str, Callable[[Any], str]] = {
    TEXT: str,
    INT: str,
    DATE: format_date,
    DATETIME: lambda value: local_time(value),
    MONEY: format_money,
    RAG: rag_word,
    BOOL: _yes_no,
}
SPREADSHEET: dict[str, Callable[[Any], Any]] = {**DISPLAY, MONEY: _pounds}


def display(value: Any, kind: str) -> str:
    """A value as a person reads it in a table."""
    if value is None:
        return ""
    return DISPLAY.get(kind, str)(value)


class _Memo(dict):
    """A conversion made once per distinct value (dates, amounts and RAG words repeat all down a
    long register) and looked up through the dict's own ``__getitem__``, with no Python call."""

    def __init__(self, convert: Callable[[Any], str]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> str:
        text = self[value] = self.convert(value)
        return text


def _for_export(kind: str, convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` as one export applies it down a column."""
    if kind == DATETIME:
        return _local_times()
    if convert is str:
        return str
    return _Memo(convert).__getitem__


MARKDOWN_FORMATS = {"github", "pipe"}


_MARKDOWN_CELL = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\n": "<br>", "\r": ""}
)


def markdown_cell(text: str) -> str:
    """Cell text that a Markdown renderer shows literally and that cannot break the table."""
    return text.translate(_MARKDOWN_CELL)


def _markdown_cells(cells: list[str]) -> list[str]:
    """``markdown_cell`` of each cell, made as one ``translate`` of the joined row."""
    escaped = "\0".join(cells).translate(_MARKDOWN_CELL).split("\0")
    return escaped if len(escaped) == len(cells) else [markdown_cell(c) for c in cells]


def local_time(value: datetime) -> str:
    """A timestamp as a UK reader expects it: London time, day first."""
    local = value.astimezone(_london())
    return f"{format_date(local)} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def _local_times() -> Callable[[datetime], str]:
    """``local_time`` for the long run of timestamps in an export: London's offset is looked up
    once per hour of UTC (its clocks change on the hour) and each day's text is made once."""
    offsets: dict[tuple[int, int, int, int], timedelta] = {}
    day_text = _Memo(format_date).__getitem__
    london = _london()

    def convert(value: datetime) -> str:
        if value.utcoffset() != ZERO:
            return local_time(value)
        hour = (value.year, value.month, value.day, value.hour)
        offset = offsets.get(hour)
        if offset is None:
            offset = offsets[hour] = value.astimezone(london).utcoffset() or ZERO
        local = value + offset  # London's wall clock (the fields are all that is read)
        return f"{day_text(local.date())} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"

    return convert


ZERO = timedelta(0)


@functools.cache
def _london():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


_NEUTRALISED = frozenset((*FORMULA_STARTS, "'"))


def neutralise(text: str) -> str:
    """A cell a spreadsheet shows as text: one beginning with a formula character gets a leading
    apostrophe (OWASP). So that the importer can undo it exactly, text that already begins with
    an apostrophe gets one too."""
    return "'" + text if text and text[0] in _NEUTRALISED else text


def unneutralise(text: str) -> str:
    """The text ``neutralise`` was given."""
    if text.startswith("'") and text[1:2] and text[1] in (*FORMULA_STARTS, "'"):
        return text[1:]
    return text


def _counted(rows: Iterable[Sequence[Any]], progress: Progress | None) -> Iterator[Sequence[Any]]:
    for n, row in enumerate(rows, start=1):
        yield row
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)


def _write_spreadsheet_text(table: Table, fmt: str, out: IO[str], progress: Progress | None) -> int:
    """CSV or TSV. A log of 100,000 risks has millions of cells, so the work per cell is kept
    to what a spreadsheet needs: text is only looked at for a formula character, numbers and
    blanks go to the csv module as they are (it writes ``None`` as an empty cell), and only
    dates, timestamps, money, RAG and yes/no columns are converted; a date seen before is not
    formatted again."""
    writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n")
    columns = list(table.columns)
    writer.writerow([neutralise(c.title) for c in columns])
    texts = [i for i, c in enumerate(columns) if c.kind == TEXT]
    converted = [
        (i, _for_export(c.kind, SPREADSHEET.get(c.kind, str)))
        for i, c in enumerate(columns)
        if c.kind not in (TEXT, INT)
    ]
    width = len(columns)
    starts = _NEUTRALISED
    count = 0
    for row in _counted(table.rows, progress):
        if len(row) != width:
            raise ValueError(f"row {count + 1} has {len(row)} values for {width} columns")
        cells = list(row)
        for i in texts:
            value = cells[i]
            if value:
                if value.__class__ is not str:
                    value = cells[i] = str(value)
                if value[0] in starts:
                    cells[i] = "'" + value
        for i, convert in converted:
            value = cells[i]
            if value is not None:
                cells[i] = convert(value)
        writer.writerow(cells)
        count += 1
    return count


def _json_value(value: Any, kind: str) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def json_key(column: Column) -> str:
    return f"{column.key}_pence" if column.kind == MONEY else column.key


def write_text(table: Table, fmt: str, out: IO[str], progress: Progress | None = None) -> int:
    """Write ``table`` as text in ``fmt``; returns the number of rows written."""
    fmt = normalise_format(fmt)
    columns = list(table.columns)
    count = 0
    if fmt in ("csv", "tsv"):
        return _write_spreadsheet_text(table, fmt, out, progress)
    if fmt == "json":
        keys = [json_key(c) for c in columns]
        out.write("[")
        for row in _counted(table.rows, progress):
            record = {k: _json_value(v, c.kind) for k, v, c in zip(keys, row, columns, strict=True)}
            out.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    if fmt == "xlsx":
        raise ValueError("xlsx is a binary format: give --output FILE")
    from tracker.exports.tabulated import write_tabulated

    shown = [_for_export(c.kind, DISPLAY.get(c.kind, str)) for c in columns]
    markdown = fmt in MARKDOWN_FORMATS

    def cells() -> Iterator[list[str]]:
        for row in table.rows:
            texts = ["" if v is None else f(v) for v, f in zip(row, shown, strict=True)]
            yield _markdown_cells(texts) if markdown else texts

    with _without_cycle_collection():
        count = write_tabulated(
            cells(),
            headers=[c.title for c in columns],
            aligns=["right" if c.kind in (INT, MONEY) else "left" for c in columns],
            fmt=fmt,
            out=out,
            wrap_widths=_wrap_widths(columns, fmt),
            progress=progress,
        )
    out.write("\n")
    return count


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A tabulate table is hundreds of thousands of strings in lists, none of them in a
    reference cycle. Python's cycle collector would walk them over and over as they accumulate
    (a fifth of the time of a 100,000-risk table), so it is paused while the table is made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _wrap_widths(columns: Sequence[Column], fmt: str) -> list[int | None] | None:
    """Long text wraps in formats whose rows may span lines (a terminal table of risk causes
    would otherwise be a few thousand characters wide); other formats keep each cell whole."""
    from tabulate import multiline_formats

    if fmt not in multiline_formats or fmt in MARKDOWN_FORMATS:
        return None
    return [WRAP_WIDTH if c.kind == TEXT else None for c in columns]


def write_file(table: Table, fmt: str, path: Path, progress: Progress | None = None) -> int:
    """Write ``table`` to ``path`` atomically: a failed export never leaves a partial file."""
    fmt = normalise_format(fmt)
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    os.close(handle)
    temp = Path(temp_name)
    try:
        if fmt == "xlsx":
            from tracker.exports.workbook import write_workbook

            count = write_workbook(table, temp, progress)
        else:
            with temp.open("w", encoding="utf-8", newline="") as out:
                count = write_text(table, fmt, out, progress)
        temp.replace(path)
        return count
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def render(table: Table, fmt: str) -> str:
    buffer = io.StringIO()
    write_text(table, fmt, buffer)
    return buffer.getvalue()
