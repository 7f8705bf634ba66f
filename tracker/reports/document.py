"""The one document model every printed output is built from.

A report (highlight report, exception report, end stage report, board minutes, quarterly summary)
is assembled from the data as a ``Document``: a title block, header facts and a list of blocks.
Renderers turn a Document into Markdown, HTML, PDF or plain text; nothing else formats a report.
Because a Document is plain data, an issued report freezes as its JSON (``to_json``/``from_json``)
and reprints identically.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from tracker.exports.table import Column

PROTECTIVE_MARKING = "OFFICIAL"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2
    kind: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    """Plain prose. Blank lines separate paragraphs; lines starting "- " are bullets."""

    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Facts:
    """Label and value pairs, e.g. project, stage, period, author."""

    rows: tuple[tuple[str, str], ...]
    kind: str = "facts"


@dataclass(frozen=True)
class TableBlock:
    """A table with typed columns (see ``tracker.exports.table``): dates, money in pence and RAG
    ratings are rendered the same way in every format."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""
    empty: str = "None."
    kind: str = "table"


@dataclass(frozen=True)
class Note:
    """A highlighted remark: a RAG key, a baseline statement, a warning."""

    text: str
    tone: str = "info"  # info | warning
    kind: str = "note"


Block = Heading | Paragraph | Facts | TableBlock | Note
_KINDS = {
    "heading": Heading,
    "paragraph": Paragraph,
    "facts": Facts,
    "table": TableBlock,
    "note": Note,
}


@dataclass
class Document:
    title: str
    subtitle: str = ""
    header: tuple[tuple[str, str], ...] = ()  # printed on every page: project, period, ...
    marking: str = PROTECTIVE_MARKING
    blocks: list[Block] = field(default_factory=list)
    watermark: str = ""  # e.g. "DRAFT" across every page of a report not yet issued

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

    def to_json(self) -> str:
        def encode(value: Any) -> Any:
            if hasattr(value, "isoformat"):
                return {"__date__": value.isoformat()}
            raise TypeError(type(value))

        return json.dumps(asdict(self), default=encode, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Document:
        from datetime import date

        def decode(value: Any) -> Any:
            if isinstance(value, dict) and "__date__" in value:
                return date.fromisoformat(value["__date__"])
            if isinstance(value, list):
                return [decode(v) for v in value]
            return value

        data = json.loads(text)
        blocks: list[Block] = []
        for raw in data.pop("blocks"):
            kind = raw["kind"]
            if kind == "table":
                raw["columns"] = tuple(Column(**c) for c in raw["columns"])
                raw["rows"] = tuple(tuple(decode(v) for v in row) for row in raw["rows"])
            if kind == "facts":
                raw["rows"] = tuple(tuple(r) for r in raw["rows"])
            blocks.append(_KINDS[kind](**raw))
        data["header"] = tuple(tuple(h) for h in data["header"])
        return cls(blocks=blocks, **data)
