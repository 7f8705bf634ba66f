"""Importing a risk register kept in a spreadsheet (CSV or XLSX), as councils keep them.

Headers are matched case-insensitively with the synonyms councils use (Likelihood for
probability, Mitigation or Controls for the response, Risk Ref for the identifier...); a title
block above the header row is skipped; blank rows are skipped; a score column is checked against
probability x impact; dates are UK day-first. Values the project does not know yet (a category,
an owner who is not yet on the project) are added to it. Every row goes through ``parse_risk``,
the same validation as the form and the command line.

All rows or none: any invalid row refuses the whole import, listing every problem by row (the
spreadsheet's own row number) and field, and nothing is written. A dry run reports what would be
imported and writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zipfile import BadZipFile

from sqlmodel import Session, select

from db.models import Risk, RiskCategory
from tracker.domain.validation import FieldError, ValidationError
from tracker.errors import TrackerError
from tracker.exports.table import unneutralise
from tracker.services.configuration import Vocabulary, load_vocabulary
from tracker.services.fields import PeopleResolver, match_name
from tracker.services.projects import project_by_key
from tracker.services.records import run_write
from tracker.services.risks import RiskInput, create_risk, parse_risk

# Header (normalised: lower case, letters and digits only, single spaces) -> register field.
HEADERS: dict[str, tuple[str, ...]] = {
    "identifier": (
        "risk id",
        "id",
        "risk ref",
        "ref",
        "reference",
        "risk reference",
        "risk no",
        "risk number",
        "no",
        "number",
        "risk identifier",
        "identifier",
    ),
    "kind": ("threat or opportunity", "threat opportunity", "type", "risk type", "kind", "t o"),
    "title": ("title", "risk title", "risk", "risk name", "summary", "risk summary", "short title"),
    "category": ("category", "risk category", "risk area", "area"),
    "cause": ("cause", "causes", "risk cause"),
    "event": ("event", "risk event", "description", "risk description", "detail"),
    "effect": ("effect", "effects", "consequence", "consequences", "impact description"),
    "author": ("author", "risk author", "raised by", "identified by", "logged by"),
    "date registered": (
        "date registered",
        "date raised",
        "date identified",
        "date logged",
        "date added",
        "date opened",
        "raised",
        "identified",
        "date",
    ),
    "inherent probability": (
        "inherent probability",
        "inherent likelihood",
        "probability",
        "likelihood",
        "gross probability",
        "gross likelihood",
        "pre mitigation probability",
        "pre mitigation likelihood",
        "initial probability",
        "initial likelihood",
    ),
    "inherent impact": (
        "inherent impact",
        "impact",
        "gross impact",
        "pre mitigation impact",
        "initial impact",
        "severity",
    ),
    "inherent cost impact": (
        "inherent cost impact",
        "cost impact",
        "cost",
        "financial impact",
        "gross cost impact",
    ),
    "residual probability": (
        "residual probability",
        "residual likelihood",
        "net probability",
        "net likelihood",
        "post mitigation probability",
        "post mitigation likelihood",
        "current probability",
        "current likelihood",
    ),
    "residual impact": (
        "residual impact",
        "net impact",
        "post mitigation impact",
        "current impact",
    ),
    "residual cost impact": ("residual cost impact", "net cost impact", "residual cost"),
    "proximity date": ("proximity date", "proximity", "target date", "when", "timing"),
    "proximity band": ("proximity band",),
    "response category": (
        "response category",
        "response type",
        "response strategy",
        "strategy",
        "treatment",
        "risk response category",
        "approach",
    ),
    "response": (
        "response",
        "responses",
        "risk response",
        "mitigation",
        "mitigations",
        "mitigating actions",
        "mitigation actions",
        "controls",
        "control measures",
        "actions",
        "response actions",
        "countermeasures",
    ),
    "early warning indicators": (
        "early warning indicators",
        "early warning",
        "early warnings",
        "triggers",
        "warning signs",
    ),
    "status": ("status", "risk status"),
    "owner": ("owner", "risk owner", "owned by", "responsible", "lead"),
    "actionees": ("actionees", "actionee", "action owner", "action owners", "risk actionee"),
    "closed on": ("closed on", "date closed", "closure date", "closed"),
    "closure reason": ("closure reason", "reason closed", "reason for closure"),
    "notes": ("notes", "note", "comments", "comment", "remarks", "latest update", "update"),
    # Derived values: checked, never stored.
    "inherent score": (
        "inherent score",
        "score",
        "risk score",
        "rating",
        "risk rating",
        "gross score",
        "inherent rating",
    ),
    "residual score": ("residual score", "net score", "residual rating", "current risk score"),
}
DERIVED = {
    "current score",
    "rag",
    "rag status",
    "rag rating",
    "inherent expected value",
    "residual expected value",
    "expected value",
    "last updated",
    "updated",
    "date updated",
}
SCORE_FIELDS = {"inherent score": "inherent", "residual score": "residual"}
STATUS_WORDS = {
    "active": "active",
    "open": "active",
    "live": "active",
    "current": "active",
    "ongoing": "active",
    "escalated": "active",
    "draft": "draft",
    "new": "draft",
    "proposed": "draft",
    "identified": "draft",
    "closed": "closed",
    "retired": "closed",
    "complete": "closed",
    "completed": "closed",
    "no longer relevant": "closed",
    "expired": "closed",
}
KIND_WORDS = {
    "threat": "threat",
    "risk": "threat",
    "negative": "threat",
    "t": "threat",
    "opportunity": "opportunity",
    "positive": "opportunity",
    "o": "opportunity",
}
DEFAULT_CLOSURE_REASON = "Closed in the imported register (no reason given there)"
HEADER_SEARCH_ROWS = 15
MAX_FILE_ROWS = 1_000_000


class ImportRefused(TrackerError):
    """The file cannot be imported as it stands; nothing was written."""

    def __init__(self, message: str, problems: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    file: str
    project: str
    dry_run: bool
    rows_read: int = 0
    blank_rows: int = 0
    identifiers: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # file header -> register field
    ignored_columns: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return len(self.identifiers)


def _normalise_header(text: object) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", str(text or "").casefold()).split()
    return " ".join(words)


HEADER_LOOKUP = {name: fld for fld, names in HEADERS.items() for name in names}


# A header whose usual field is already taken by a more exact one, e.g. "Proximity" beside
# "Proximity date" (as the tracker's own export has them).
FALLBACK = {"proximity": "proximity band"}


def match_headers(headers: Sequence[object]) -> tuple[dict[int, str], list[str]]:
    """Column index -> register field, and the headers that mean nothing to the register.
    A header that is a field's own name wins over a synonym of it."""
    names = [_normalise_header(h) for h in headers]
    fields: dict[int, str] = {}
    taken: set[str] = set()
    for index, name in enumerate(names):
        if name in HEADERS and name not in taken:
            fields[index] = name
            taken.add(name)
    ignored: list[str] = []
    for index, name in enumerate(names):
        if not name or index in fields:
            continue
        wanted = HEADER_LOOKUP.get(name)
        if wanted in taken:
            wanted = FALLBACK.get(name)
        if wanted is None or wanted in taken:
            if name not in DERIVED:
                ignored.append(str(headers[index]).strip())
            continue
        fields[index] = wanted
        taken.add(wanted)
    return fields, ignored


# --------------------------------------------------------------------------- reading files


def read_rows(path: Path) -> tuple[list[object], Iterator[tuple[int, list[object]]]]:
    """The header row and the data rows (with their row numbers in the file) of a CSV or XLSX
    risk register. The header is the first row, among the first few, that names a title and a
    probability or impact: councils often put a title block above it."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        rows = _csv_rows(path)
    else:
        raise ImportRefused(
            f"{path.name}: import reads .csv and .xlsx files, not {suffix or path.name!r}"
        )
    searched: list[tuple[int, list[object]]] = []
    for number, cells in rows:
        searched.append((number, cells))
        fields, _ignored = match_headers(cells)
        found = set(fields.values())
        if ("title" in found or "event" in found) and (
            found & {"inherent probability", "inherent impact", "residual probability"}
        ):
            return cells, rows
        if len(searched) >= HEADER_SEARCH_ROWS:
            break
    raise ImportRefused(
        f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
        "(it needs at least a title or description column and a probability or impact column)"
    )


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ImportRefused(f"{path.name}: not a text file")
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, row in enumerate(reader, start=1):
        yield number, [unneutralise(cell) for cell in row]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportRefused(f"{path.name}: not a readable Excel workbook ({exc})") from None
    try:
        sheet = _register_sheet(workbook)
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _register_sheet(workbook):
    """The sheet that holds the register: one named like a risk register, else the first."""
    for sheet in workbook.worksheets:
        name = _normalise_header(sheet.title)
        if "risk" in name and ("register" in name or "log" in name):
            return sheet
    return workbook.worksheets[0]


def _cell_text(value: object) -> object:
    """A spreadsheet cell as the validators take it: text stripped, whole numbers as ints,
    dates as dates, other numbers as exact decimals (money)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(str(value))
    return str(value).strip()


# --------------------------------------------------------------------------- rows to risks


def _plain(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _prepared(values: dict[str, object], vocabulary: Vocabulary) -> dict[str, object]:
    """A spreadsheet's way of saying things turned into the register's: statuses (Open is
    active), kinds, scale initials (H, M, L), a proximity column holding a band or a date."""
    raw = dict(values)
    status = raw.get("status")
    if isinstance(status, str) and status:
        raw["status"] = STATUS_WORDS.get(_normalise_header(status), status)
    kind = raw.get("kind")
    if isinstance(kind, str) and kind:
        raw["kind"] = KIND_WORDS.get(_normalise_header(kind), kind)
    for name, scale in (
        ("inherent probability", vocabulary.probability),
        ("inherent impact", vocabulary.impact),
        ("residual probability", vocabulary.probability),
        ("residual impact", vocabulary.impact),
    ):
        value = raw.get(name)
        if isinstance(value, Decimal):
            raw[name] = str(value)
        elif isinstance(value, str) and value and not value[0].isdigit():
            initials = {
                "".join(word[0] for word in level.name.split()).casefold(): level.level
                for level in scale.values()
            }
            level = initials.get(value.replace(" ", "").casefold())
            if level is not None:
                raw[name] = level
    proximity = raw.get("proximity date")
    if isinstance(proximity, str) and proximity and not raw.get("proximity band"):
        band = match_name(
            proximity, ["imminent", "within stage", "within project", "beyond project"]
        )
        if band is not None:
            raw["proximity band"] = band
            raw["proximity date"] = ""
    if raw.get("status") == "closed" and not str(raw.get("closure reason") or "").strip():
        raw["closure reason"] = DEFAULT_CLOSURE_REASON
    if not str(raw.get("title") or "").strip():
        description = str(raw.get("event") or raw.get("cause") or "").strip()
        if description:
            raw["title"] = _title_from(description)
    return {k: (_plain(v) if isinstance(v, Decimal) else v) for k, v in raw.items()}


def _title_from(description: str, limit: int = 120) -> str:
    """A register with only a description column: its first sentence, shortened, as the title."""
    first = re.split(r"(?<=[.;:])\s", description, maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _check_scores(values: dict[str, object], data: RiskInput, row: int) -> list[FieldError]:
    problems = []
    for name, basis in SCORE_FIELDS.items():
        given = values.get(name)
        if given in (None, ""):
            continue
        try:
            stated = int(Decimal(str(given)))
        except (ArithmeticError, ValueError):
            problems.append(FieldError(name, f"{given!r} is not a number", row))
            continue
        p = getattr(data, f"{basis}_probability")
        i = getattr(data, f"{basis}_impact")
        if p is None or i is None:
            problems.append(
                FieldError(
                    name, f"is given ({stated}) but there is no {basis} probability and impact", row
                )
            )
        elif stated != p * i:
            problems.append(
                FieldError(
                    name, f"{stated} is not {basis} probability {p} x impact {i} = {p * i}", row
                )
            )
    return problems


OWN_IDENTIFIER = re.compile(r"^(?:R[-\s]?)?0*(\d+)$", re.IGNORECASE)


def _identifier_number(value: object) -> int | None:
    """The risk number of one of the register's own identifiers (``R-007``, ``R7``, ``7``);
    None for another scheme's reference (``CB-07``), which keeps its place in the notes."""
    match = OWN_IDENTIFIER.match(str(value).strip())
    return int(match.group(1)) if match else None


class _Planner:
    """Categories and people the file names that the project does not know: added for real in
    an import, only listed in a dry run (which never writes)."""

    def __init__(self, session: Session, project_id: int, vocabulary: Vocabulary, dry_run: bool):
        self.session = session
        self.project_id = project_id
        self.vocabulary = vocabulary
        self.dry_run = dry_run
        self.new_categories: list[str] = []
        self.new_people: list[str] = []
        self.people = PeopleResolver(session, project_id, add_unknown=not dry_run)
        self._next_fake = -1

    def add_category(self, name: str) -> int:
        self.new_categories.append(name)
        if self.dry_run:
            self.vocabulary.categories[name] = self._fake()
        else:
            category = RiskCategory(project_id=self.project_id, name=name)
            self.session.add(category)
            self.session.flush()
            self.vocabulary.categories[name] = category.id
        return self.vocabulary.categories[name]

    def resolve(self, value: object, *, required: bool = False) -> int | None:
        name = str(value or "").strip()
        known = name.casefold() in self.people.known
        if name and not known:
            self.new_people.append(name)
            if self.dry_run:
                self.people.known[name.casefold()] = self._fake()
        return self.people.resolve(value, required=required)

    def _fake(self) -> int:
        self._next_fake -= 1
        return self._next_fake


def import_risks(
    db, path: Path, key: str, *, dry_run: bool, today: date, actor: str | None = None
) -> ImportReport:
    """Import every risk in the file, or none: see the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(f"{path}: no such file")
    headers, rows = read_rows(path)
    columns, ignored = match_headers(headers)
    report = ImportReport(
        file=str(path),
        project=key.strip().upper(),
        dry_run=dry_run,
        columns={str(headers[i]).strip(): f for i, f in columns.items()},
        ignored_columns=ignored,
    )
    records: list[tuple[int, dict[str, object]]] = []
    for number, cells in rows:
        values = {
            fld: _cell_text(cells[index]) if index < len(cells) else ""
            for index, fld in columns.items()
        }
        if all(v in ("", None) for v in values.values()):
            report.blank_rows += 1
            continue
        records.append((number, values))
        if len(records) > MAX_FILE_ROWS:
            raise ImportRefused(f"{path.name}: more than {MAX_FILE_ROWS:,} rows")
    report.rows_read = len(records)
    if not records:
        raise ImportRefused(f"{path.name}: no risks found below the header row")

    def work(session: Session) -> ImportReport:
        project = project_by_key(session, key)
        report.project = project.key
        vocabulary = load_vocabulary(session, project.id)
        planner = _Planner(session, project.id, vocabulary, dry_run)
        existing = set(session.exec(select(Risk.number).where(Risk.project_id == project.id)).all())
        problems: list[FieldError] = []
        parsed: list[tuple[int | None, RiskInput]] = []
        numbers_seen: dict[int, int] = {}
        for number, values in records:
            identifier_number = None
            given_id = values.get("identifier")
            reference_note = ""
            if given_id not in (None, ""):
                identifier_number = _identifier_number(given_id)
                if identifier_number is None:
                    reference_note = f"Reference in the imported register: {given_id}"
                elif identifier_number <= 0:
                    problems.append(
                        FieldError("identifier", f"{given_id!r} is not a risk number", number)
                    )
                elif identifier_number in existing:
                    problems.append(
                        FieldError(
                            "identifier",
                            f"R-{identifier_number:03d} is already in the {project.key} "
                            "risk register",
                            number,
                        )
                    )
                elif identifier_number in numbers_seen:
                    problems.append(
                        FieldError(
                            "identifier",
                            f"R-{identifier_number:03d} is also on row "
                            f"{numbers_seen[identifier_number]}",
                            number,
                        )
                    )
                else:
                    numbers_seen[identifier_number] = number
            raw = _prepared(
                {k: v for k, v in values.items() if k not in SCORE_FIELDS and k != "identifier"},
                vocabulary,
            )
            if reference_note:
                notes = str(raw.get("notes") or "").strip()
                raw["notes"] = f"{notes}\n{reference_note}" if notes else reference_note
            try:
                data = parse_risk(
                    raw,
                    vocabulary,
                    planner,  # resolves people, adding (or in a dry run listing) new ones
                    today=today,
                    row=number,
                    add_category=planner.add_category,
                )
            except ValidationError as exc:
                problems.extend(exc.errors)
                continue
            problems.extend(_check_scores(values, data, number))
            parsed.append((identifier_number, data))
        if problems:
            raise ImportRefused(
                f"{path.name}: import refused: {len(problems)} problem(s) in "
                f"{len({p.row for p in problems})} row(s); nothing was imported",
                problems,
            )
        report.new_categories = sorted(set(planner.new_categories), key=str.casefold)
        report.new_people = sorted(set(planner.new_people), key=str.casefold)
        taken = existing | set(numbers_seen)
        next_free = max(taken, default=0) + 1
        for identifier_number, data in parsed:
            if identifier_number is None:
                identifier_number = next_free
                next_free += 1
            report.identifiers.append(f"R-{identifier_number:03d}")
            if not dry_run:
                create_risk(session, project, data, number=identifier_number)
        return report

    if dry_run:
        with db.read() as session:
            return work(session)
    return run_write(db, work, actor=actor)
