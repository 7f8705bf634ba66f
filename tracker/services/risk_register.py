"""The risk register as the screen and the exports read it: filtered, sorted, paged by the
database.

A register of 100,000 risks cannot be loaded into a widget, so the screen asks for two things:
``register_view`` (the ordered ids that match the filter, with each risk's heat-map cell, in one
indexed query) and ``register_rows`` (the few rows on screen, by id). Scores are "current":
residual where the risk has been assessed after its response, else inherent.
"""

from __future__ import annotations

import sys
import threading
from array import array
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import accumulate, compress, repeat
from operator import contains, itemgetter

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from db.models import (
    AuditEntry,
    HighlightReport,
    ImpactLevel,
    Person,
    ProbabilityLevel,
    Risk,
    RiskActionee,
    RiskCategory,
    RiskResponseType,
    RiskSnapshot,
)
from tracker.domain.scoring import (
    SAME,
    above_tolerance,
    expected_value_pence,
    proximity_flag,
    risk_movement,
    score_rag,
)
from tracker.services.history import HistoryLine
from tracker.services.projects import project_by_key
from tracker.services.risk_snapshots import baseline_report

STATUS_FILTERS = ("open", "active", "draft", "closed", "all")
OPEN_STATUSES = ("draft", "active")
CURRENT, INHERENT = "residual", "inherent"
BASES = (CURRENT, INHERENT)
KIND_CODE = {"threat": 0, "opportunity": 1}


@dataclass(frozen=True)
class HeatCell:
    """One cell of a probability impact grid: a threat or opportunity at (probability, impact)."""

    kind: str
    probability: int
    impact: int

    @property
    def code(self) -> int:
        return KIND_CODE[self.kind] * 10_000 + self.probability * 100 + self.impact

    @classmethod
    def from_code(cls, code: int) -> HeatCell:
        kind = "opportunity" if code >= 10_000 else "threat"
        return cls(kind, (code % 10_000) // 100, code % 100)


@dataclass(frozen=True)
class RiskFilter:
    """What the register shows. ``text`` matches every word (in any order) against the
    identifier, title, cause, event, effect and owner; ``cell`` is a selected heat-map cell on
    ``basis`` (``"residual"``: residual where assessed, else inherent; or ``"inherent"``)."""

    text: str = ""
    status: str = "open"
    owner: str | None = None
    category: str | None = None
    min_score: int | None = None
    kind: str | None = None
    cell: HeatCell | None = None
    basis: str = CURRENT

    def without_cell(self) -> RiskFilter:
        return replace(self, cell=None)


SORT_KEYS = (
    "identifier",
    "title",
    "kind",
    "category",
    "probability",
    "impact",
    "score",
    "rag",
    "proximity",
    "owner",
    "response",
    "status",
    "updated",
    "movement",
)


@dataclass(frozen=True)
class RiskSort:
    key: str = "score"
    descending: bool = True


@dataclass
class RegisterView:
    """The ids the register shows, in order, and the heat map of the same risks (every cell,
    whatever cell is selected, so the map does not collapse when one is chosen)."""

    ids: Sequence[int]
    total: int  # risks in the register, whatever their status
    heat: dict[HeatCell, int] = field(default_factory=dict)
    basis: str = CURRENT

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class RegisterRow:
    id: int
    identifier: str
    title: str
    kind: str
    category: str
    probability: int
    impact: int
    score: int
    rag: str | None
    above_tolerance: bool
    proximity_date: date | None
    proximity_band: str | None
    proximity_flag: str | None
    owner: str
    response_category: str
    status: str
    updated_at: datetime
    movement: str | None
    version: int


@dataclass(frozen=True)
class RegisterContext:
    """What the register screen needs once per project: scales, bands, the tolerance line, the
    baseline report, and the choices offered by the filters."""

    key: str
    name: str
    probability_levels: tuple[tuple[int, str], ...]
    impact_levels: tuple[tuple[int, str], ...]
    green_max: int
    amber_max: int
    tolerance_score: int
    baseline: str | None  # "highlight report 6 (06/02/2012)"
    owners: tuple[str, ...]
    categories: tuple[str, ...]
    today: date


@dataclass
class _Columns:
    """The register held column-wise, one list per field, position i being one risk."""

    ids: list[int]
    numbers: list[int]
    statuses: list[str]
    kinds: list[str]
    texts: list[str]  # identifier, title, cause, event, effect and owner, lower-cased
    titles: list[str]
    owners: list[str]
    categories: list[str]
    responses: list[str]
    codes: dict[str, list[int]]  # basis -> heat-map cell code
    scores: dict[str, list[int]]  # basis -> score
    proximity: list[date | None]
    updated: list[datetime]
    before: list[int | None]  # score at the baseline report (None: not in it, i.e. new)
    before_status: list[str | None]


class WordIndex:
    """Which risks' texts hold a word typed in the filter, looked up among the distinct words
    of the register instead of searched for in every text: a word typed lies inside one word
    of the text (it has no spaces), so ``mi`` is found in ``migration`` and ``administration``
    and the answer is the risks holding those. At 100,000 risks a two-letter word is answered
    in a quarter of the time of a scan of 30 MB of text. A single letter is in nearly every
    risk, so it is still scanned for (a scan that stops at the first hit is quicker then).

    Held compactly for the cycle collector: the words in one string, and every word's
    positions in one array, so a few objects stand for millions of entries. ``changed`` holds
    the positions saved since it was built; they are checked against their text instead."""

    MOST_WORDS = 2_000  # a word typed that is inside more distinct words than this is scanned for

    def __init__(self, texts: Sequence[str]) -> None:
        where: dict[str, array] = {}
        for position, text in enumerate(texts):
            for word in set(text.split()):
                found = where.get(word)
                if found is None:
                    found = where[word] = array("i")
                found.append(position)
        self._words = "\n".join(where)
        self._starts = array("l", accumulate((len(word) + 1 for word in where), initial=0))
        self._ends = array("l", accumulate(map(len, where.values()), initial=0))
        self._positions = array("i")
        for word in tuple(where):  # each word's positions let go once copied: no double peak
            self._positions.extend(where.pop(word))
        self.changed: set[int] = set()

    def holding(self, typed: str, texts: Sequence[str], most: int) -> set[int] | None:
        """The positions whose text holds ``typed``; None when the answer would gather more
        than ``most`` entries or ``typed`` is inside too many words (a scan is quicker)."""
        words, starts, ends = self._words, self._starts, self._ends
        spans = []
        gathered = 0
        at = words.find(typed)
        while at != -1:
            n = bisect_right(starts, at) - 1
            gathered += ends[n + 1] - ends[n]
            spans.append(n)
            if gathered > most or len(spans) > self.MOST_WORDS:
                return None
            at = words.find(typed, starts[n + 1])
        held: set[int] = set()
        positions = self._positions
        for n in spans:
            held.update(positions[ends[n] : ends[n + 1]])
        for position in self.changed:
            if typed in texts[position]:
                held.add(position)
            else:
                held.discard(position)
        return held


class RegisterIndex:
    """A project's risk register held in memory in a compact, column-wise form, so that every
    keystroke in the filter is answered without a query: at 100,000 risks a filtered, sorted,
    counted view takes a few tens of milliseconds, where the same query in the database takes
    several hundred. The screen still reads the rows it shows from the database, by id
    (``register_rows``); the index only decides which ids, in what order.

    ``token`` says which state of the register it was built from (count and last change);
    ``sync`` catches up with the database. Typing narrows the last answer instead of starting
    again, and every sort order is worked out once.
    """

    WORDS_FROM = 5_000  # fewer positions than this left to check: scanning them is quicker

    def __init__(self, key: str, columns: _Columns, token: tuple, tolerance: int) -> None:
        self.key = key
        self.columns = columns
        self.token = token
        self.tolerance = tolerance
        self._orders: dict[tuple, tuple] = {}  # sort orders, and columns laid out in them
        self._position = {risk_id: pos for pos, risk_id in enumerate(columns.ids)}
        self._lock = threading.RLock()  # the screen reads it from one worker, syncs from another
        self._narrowed: dict[tuple, tuple[int, ...]] = {}  # (filter, words) -> positions
        self._views: dict[tuple, RegisterView] = {}  # (filter, sort) -> view: backspace is free
        self._movement: dict[str, int] | None = None
        self._words: WordIndex | None = None  # built by ``index_words``, after the index is shown
        self._generation = 0  # how many syncs changed the register

    @property
    def total(self) -> int:
        return len(self.columns.ids)

    @property
    def words_indexed(self) -> bool:
        return self._words is not None

    def view(self, flt: RiskFilter = RiskFilter(), sort: RiskSort = RiskSort()) -> RegisterView:
        """The view for ``flt`` and ``sort``; the same object again for a filter seen since the
        last change (views are read, never changed, by their callers)."""
        with self._lock:
            found = self._views.get((flt, sort))
            if found is None:
                if len(self._views) > 64:
                    self._views.clear()
                found = self._views[(flt, sort)] = self._view(flt, sort)
            return found

    def _view(self, flt: RiskFilter, sort: RiskSort) -> RegisterView:
        """Match in position order (the texts lie in memory in that order, so the scan runs
        at the memory's pace), then lay the matches out in the sort order. Every pass over
        the register is done by ``itemgetter``, ``map`` and ``compress``, not a Python loop;
        answers are tuples: the cycle collector stops looking inside a tuple of numbers,
        where 64 kept lists of 100,000 ids cost a 45 ms pause in the middle of typing."""
        positions = self._matching(flt)
        if flt.text.strip():
            without_text = replace(flt, text="")
            if len(positions) == len(self._matching(without_text)):
                return self.view(without_text, sort)  # the text narrows nothing (one letter)
        codes = self.columns.codes[flt.basis]
        heat_codes = Counter(_pick(codes, positions))
        if flt.cell is not None:
            wanted = flt.cell.code
            positions = tuple(compress(positions, map(wanted.__eq__, _pick(codes, positions))))
        ids = self._ids_in_order(sort, flt.basis)
        if len(positions) == len(ids):
            shown = ids
        elif isinstance(self._order(sort, flt.basis), range):
            shown = _pick(self.columns.ids, positions)  # laid out in this order already
        else:
            places = _pick(self._rank(sort, flt.basis), positions)
            if len(positions) * 8 < len(ids):
                shown = _pick(ids, sorted(places))
            else:
                # Mark each match's place in the sort order, then keep the marked places.
                marks = bytearray(len(ids))
                deque(map(marks.__setitem__, places, repeat(1)), 0)
                shown = tuple(compress(ids, marks))
        heat = {HeatCell.from_code(code): n for code, n in heat_codes.items()}
        return RegisterView(ids=shown, total=self.total, heat=heat, basis=flt.basis)

    def _matching(self, flt: RiskFilter) -> tuple[int, ...]:
        """Positions that pass the filter (not the cell). The text is matched last, word by
        word, starting from the answer for the text typed so far when there is one."""
        words = flt.text.casefold().split()
        rest = replace(flt, text="", cell=None, basis=flt.basis if flt.min_score else CURRENT)
        key = (rest, tuple(words))
        found = self._narrowed.get(key)
        if found is not None:
            return found
        positions, to_check = self._closest(rest, words)
        texts = self.columns.texts
        for word in to_check:
            held = self._holding(word, positions)
            if held is not None:
                positions = tuple(compress(positions, map(held.__contains__, positions)))
                continue
            # ``word in text`` for each position, worked through without a Python loop.
            found = map(contains, _pick(texts, positions), repeat(word))
            positions = tuple(compress(positions, found))
        if len(self._narrowed) > 64:
            self._narrowed.clear()
        self._narrowed[key] = positions
        return positions

    def _holding(self, word: str, positions: tuple[int, ...]) -> set[int] | None:
        """The positions holding ``word`` from the word index, when it is built and quicker
        than scanning ``positions`` (a word of two letters or more, many positions)."""
        if self._words is None or len(word) < 2 or len(positions) < self.WORDS_FROM:
            return None
        return self._words.holding(word, self.columns.texts, most=4 * len(positions))

    def index_words(self) -> None:
        """Build the word index that answers typing quicker (about a second at 100,000 risks:
        run it in a worker once the register is shown; until then typing scans the texts)."""
        while True:
            with self._lock:
                if self._words is not None:
                    return
                texts, generation = tuple(self.columns.texts), self._generation
            words = WordIndex(texts)
            with self._lock:
                if generation == self._generation:
                    self._words = words
                    return

    def _closest(self, rest: RiskFilter, words: list[str]) -> tuple[tuple[int, ...], list[str]]:
        """The smallest answer already worked out that contains the answer for ``words``, and
        the words still to check against it. An answer for earlier words contains this one
        when each earlier word is part of the word typed now (``migr`` of ``migration``): any
        text holding ``migration`` holds ``migr``."""
        best: tuple[int, ...] | None = None
        best_words: tuple[str, ...] = ()
        for (other, other_words), positions in self._narrowed.items():
            if other != rest or len(other_words) > len(words):
                continue
            contains = all(prior in w for w, prior in zip(words, other_words, strict=False))
            if contains and (best is None or len(positions) < len(best)):
                best, best_words = positions, other_words
        if best is None:
            return self._without_text(rest), words
        kept = set(best_words)
        return best, [w for n, w in enumerate(words) if n >= len(best_words) or w not in kept]

    def _without_text(self, flt: RiskFilter) -> tuple[int, ...]:
        """Positions of the risks that pass the filter's status, kind, score, owner and
        category."""
        c = self.columns
        statuses = _statuses(flt.status)
        tests = []
        if statuses is not None:
            tests.append(map(statuses.__contains__, c.statuses))
        if flt.kind:
            tests.append(map(flt.kind.__eq__, c.kinds))
        if flt.min_score is not None:
            tests.append(map(flt.min_score.__le__, c.scores[flt.basis]))
        if flt.owner:
            tests.append(map(flt.owner.casefold().__eq__, map(str.casefold, c.owners)))
        if flt.category:
            tests.append(map(flt.category.__eq__, c.categories))
        everyone = range(len(c.ids))
        if not tests:
            return tuple(everyone)
        passed = map(all, zip(*tests, strict=True)) if len(tests) > 1 else tests[0]
        return tuple(compress(everyone, passed))

    def _rank(self, sort: RiskSort, basis: str) -> tuple[int, ...]:
        """Each position's place in the sort order (to lay matches out in it)."""
        order = self._order(sort, basis)
        key = ("rank", *self._order_key(sort, basis))
        rank = self._orders.get(key)
        if rank is None:
            places = [0] * len(order)
            for place, p in enumerate(order):
                places[p] = place
            rank = self._orders[key] = tuple(places)
        return rank

    def _ids_in_order(self, sort: RiskSort, basis: str) -> tuple[int, ...]:
        """The risk ids in the sort order, worked out once per order and kept."""
        cache_key = ("ids", *self._order_key(sort, basis))
        found = self._orders.get(cache_key)
        if found is None:
            found = self._orders[cache_key] = _pick(self.columns.ids, self._order(sort, basis))
        return found

    def _order_key(self, sort: RiskSort, basis: str) -> tuple:
        by_basis = sort.key in ("score", "rag", "probability", "impact")
        return (sort.key, basis if by_basis else "", sort.descending)

    def _order(self, sort: RiskSort, basis: str) -> Sequence[int]:
        """Positions in sort order, ties always in identifier order; each order is worked out
        once and kept."""
        if sort.key not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort.key!r}")
        cache_key = self._order_key(sort, basis)
        if cache_key not in self._orders:
            keys = self._sort_values(sort.key, basis)
            by_number = self._orders.get(("identifier", "", False))
            if by_number is None:
                numbers = self.columns.numbers
                by_number = tuple(sorted(range(len(numbers)), key=numbers.__getitem__))
                self._orders[("identifier", "", False)] = by_number
            # A stable sort of the identifier order keeps ties in identifier order, even
            # when the key runs downwards.
            order = tuple(sorted(by_number, key=keys.__getitem__, reverse=sort.descending))
            # The order the index is laid out in (the opening one, until a save moves a
            # risk): positions are places, and matches need no laying out.
            everyone = range(len(order))
            self._orders[cache_key] = everyone if order == tuple(everyone) else order
        return self._orders[cache_key]

    def _sort_values(self, key: str, basis: str) -> Sequence:
        c = self.columns
        if key == "identifier":
            return c.numbers
        if key in ("score", "rag"):
            return c.scores[basis]
        if key in ("probability", "impact"):
            codes = c.codes[basis]
            return [
                (code % 10_000) // 100 if key == "probability" else code % 100 for code in codes
            ]
        if key == "proximity":
            far = date.max
            return [d or far for d in c.proximity]
        if key == "movement":
            scores = c.scores[CURRENT]
            return [
                1_000 if before is None else scores[p] - before for p, before in enumerate(c.before)
            ]
        return {
            "title": c.titles,
            "kind": c.kinds,
            "category": c.categories,
            "owner": [o.casefold() for o in c.owners],
            "response": c.responses,
            "status": c.statuses,
            "updated": c.updated,
        }[key]

    def sync(self, db) -> bool:
        """Catch up with the database: re-read the risks saved since the index was built (by
        this session or anyone else) and any new ones. True if anything changed."""
        token = register_token(db, self.key)
        if token == self.token:
            return False
        with self._lock:
            fresh = _load_columns(db, self.key, since=self._last_updated())
            c = self.columns
            self._generation += 1
            for new_pos, risk_id in enumerate(fresh.columns.ids):
                pos = self._position.get(risk_id)
                if pos is None:
                    pos = len(c.ids)
                    self._position[risk_id] = pos
                    for name in _LIST_FIELDS:
                        getattr(c, name).append(None)
                    for basis in BASES:
                        c.codes[basis].append(0)
                        c.scores[basis].append(0)
                for name in _LIST_FIELDS:
                    getattr(c, name)[pos] = getattr(fresh.columns, name)[new_pos]
                for basis in BASES:
                    c.codes[basis][pos] = fresh.columns.codes[basis][new_pos]
                    c.scores[basis][pos] = fresh.columns.scores[basis][new_pos]
                if self._words is not None:
                    self._words.changed.add(pos)
            self._orders.clear()
            self._narrowed.clear()
            self._views.clear()
            self._movement = None
            self.token = fresh.token
            if self.total != token[0]:  # something this index cannot see by time: start again
                loaded = _load_columns(db, self.key)
                self.columns, self.token = _in_opening_order(loaded.columns), loaded.token
                self._words = None
                self._position = {rid: pos for pos, rid in enumerate(self.columns.ids)}
        return True

    def _last_updated(self) -> datetime | None:
        return max(self.columns.updated, default=None)

    def movement(self) -> dict[str, int]:
        """How the register moved since the baseline report: new, up, down, closed."""
        if self._movement is not None:
            return self._movement
        c = self.columns
        counts = Counter()
        with self._lock:
            for pos, before in enumerate(c.before):
                moved = risk_movement(
                    before, c.before_status[pos], c.scores[CURRENT][pos], c.statuses[pos]
                )
                counts[moved] += 1
        self._movement = {what: counts.get(what, 0) for what in ("new", "up", "down", "closed")}
        return self._movement


_LIST_FIELDS = (
    "ids",
    "numbers",
    "statuses",
    "kinds",
    "texts",
    "titles",
    "owners",
    "categories",
    "responses",
    "proximity",
    "updated",
    "before",
    "before_status",
)


def _copied_in_order(texts: list[str], order: list[int]) -> list[str]:
    """Fresh copies of ``texts`` in ``order``; each old one is let go as it is copied, so the
    register's text is never held twice."""
    copied = []
    for p in order:
        copied.append(texts[p].encode().decode())
        texts[p] = ""
    return copied


def _pick(column: Sequence, positions: Sequence[int]) -> tuple:
    """``column[p]`` for each position, as a tuple. One ``itemgetter`` call does it in C, five
    or more times quicker than ``map`` calling ``__getitem__`` for each."""
    if len(positions) > 1:
        return itemgetter(*positions)(column)
    return tuple(column[p] for p in positions)


def _statuses(status: str) -> frozenset[str] | None:
    if status == "open":
        return frozenset(OPEN_STATUSES)
    if status == "all":
        return None
    if status not in STATUS_FILTERS:
        raise ValueError(f"unknown status filter {status!r}; choose one of {STATUS_FILTERS}")
    return frozenset((status,))


def register_token(db, key: str) -> tuple:
    """Which state of the register this is: changes when a risk is added or saved."""
    with db.read() as session:
        project = project_by_key(session, key)
        return _token(session, project.id)


def _token(session, project_id: int) -> tuple:
    count, last = session.execute(
        select(func.count(), func.max(Risk.updated_at)).where(Risk.project_id == project_id)
    ).one()
    return (count, str(last))


@dataclass
class _Loaded:
    columns: _Columns
    token: tuple
    tolerance: int


def _load_columns(db, key: str, since: datetime | None = None) -> _Loaded:
    """The register column-wise: every risk, or those saved at or after ``since``."""
    owner = aliased(Person)
    with db.read() as session:
        project = project_by_key(session, key)
        token = _token(session, project.id)
        baseline = baseline_report(session, project.id)
        snap = aliased(RiskSnapshot)
        query = (
            select(
                Risk.id,
                Risk.number,
                Risk.status,
                Risk.kind,
                Risk.identifier,
                Risk.title,
                Risk.cause,
                Risk.event,
                Risk.effect,
                owner.name,
                RiskCategory.name,
                RiskResponseType.name,
                Risk.inherent_probability,
                Risk.inherent_impact,
                Risk.residual_probability,
                Risk.residual_impact,
                Risk.proximity_date,
                Risk.updated_at,
                snap.status,
                func.coalesce(
                    snap.residual_probability * snap.residual_impact,
                    snap.inherent_probability * snap.inherent_impact,
                ),
            )
            .outerjoin(owner, owner.id == Risk.owner_id)
            .outerjoin(RiskCategory, RiskCategory.id == Risk.category_id)
            .outerjoin(RiskResponseType, RiskResponseType.id == Risk.response_category_id)
            .outerjoin(
                snap,
                and_(snap.risk_id == Risk.id, snap.report_id == (baseline.id if baseline else -1)),
            )
            .where(Risk.project_id == project.id)
        )
        if since is not None:
            query = query.where(Risk.updated_at >= since)
        tolerance = project.risk_tolerance_score
        connection = session.connection()
        intern = sys.intern  # statuses, kinds, owners...: one string each, not one per risk
        c = _Columns(
            ids=[],
            numbers=[],
            statuses=[],
            kinds=[],
            texts=[],
            titles=[],
            owners=[],
            categories=[],
            responses=[],
            codes={CURRENT: [], INHERENT: []},
            scores={CURRENT: [], INHERENT: []},
            proximity=[],
            updated=[],
            before=[],
            before_status=[],
        )
        for (
            rid,
            number,
            status,
            kind,
            ident,
            title,
            cause,
            event,
            effect,
            owner_name,
            category,
            response,
            ip,
            ii,
            rp,
            ri,
            proximity,
            updated,
            then_status,
            before,
        ) in _batches(connection, query):
            owner_name = intern(owner_name or "")
            c.ids.append(rid)
            c.numbers.append(number)
            c.statuses.append(intern(status))
            c.kinds.append(intern(kind))
            c.texts.append(" ".join((ident, title, cause, event, effect, owner_name)).casefold())
            c.titles.append(title.casefold())
            c.owners.append(owner_name)
            c.categories.append(intern(category or ""))
            c.responses.append(intern(response or ""))
            offset = KIND_CODE[kind] * 10_000
            cp, ci = (rp, ri) if rp is not None else (ip, ii)
            c.codes[CURRENT].append(offset + cp * 100 + ci)
            c.codes[INHERENT].append(offset + ip * 100 + ii)
            c.scores[CURRENT].append(cp * ci)
            c.scores[INHERENT].append(ip * ii)
            c.proximity.append(proximity)
            c.updated.append(updated)
            c.before.append(before if then_status is not None else None)
            c.before_status.append(then_status and intern(then_status))
    return _Loaded(c, token, tolerance)


def _batches(connection, query, size: int = 5_000) -> Iterator:
    """The rows of ``query`` (whose first column is ``Risk.id``) a batch at a time, in id
    order: at 100,000 risks, holding every raw row (with its cause, event and effect) beside the
    index would double the screen's memory. Each batch is read whole, not streamed: a cursor
    held open while the rows are worked through hands the GIL to and fro with every row and
    made the screen's first paint ten times slower."""
    last = 0
    while True:
        batch = connection.execute(query.where(Risk.id > last).order_by(Risk.id).limit(size)).all()
        yield from batch
        if len(batch) < size:
            return
        last = batch[-1][0]


def register_index(db, key: str) -> RegisterIndex:
    """Build the in-memory index of a project's register (a second or so at 100,000 risks)."""
    loaded = _load_columns(db, key)
    columns = _in_opening_order(loaded.columns)
    return RegisterIndex(key.strip().upper(), columns, loaded.token, loaded.tolerance)


def _in_opening_order(c: _Columns) -> _Columns:
    """The columns laid out in the order the register opens in (current score, highest
    first, then identifier), with each risk's text copied afresh in that order so the texts
    lie in memory as the screen reads them. In that order a filter's matches come out
    sorted, and the scan of the texts runs straight through memory instead of jumping."""
    numbers, scores = c.numbers, c.scores[CURRENT]
    by_number = sorted(range(len(numbers)), key=numbers.__getitem__)
    order = sorted(by_number, key=scores.__getitem__, reverse=True)

    def laid_out(column: list) -> list:
        return list(map(column.__getitem__, order))

    return _Columns(
        **{name: laid_out(getattr(c, name)) for name in _LIST_FIELDS if name != "texts"},
        texts=_copied_in_order(c.texts, order),
        codes={basis: laid_out(codes) for basis, codes in c.codes.items()},
        scores={basis: laid_out(values) for basis, values in c.scores.items()},
    )


def first_rows(db, key: str, sort: RiskSort, flt: RiskFilter, limit: int) -> RegisterView:
    """The first screenful straight from the database, while the index is still being built:
    by status, in score order (the default, on the score index) or identifier order."""
    with db.read() as session:
        project = project_by_key(session, key)
        statuses = _statuses(flt.status)
        score = func.coalesce(Risk.residual_score, Risk.inherent_score)
        query = select(Risk.id).where(Risk.project_id == project.id)
        if statuses is not None:
            query = query.where(col(Risk.status).in_(sorted(statuses)))
        key = score if sort.key in ("score", "rag") else Risk.number
        query = query.order_by(key.desc() if sort.descending else key.asc(), Risk.number.asc())
        query = query.limit(limit)
        ids = list(session.execute(query).scalars())
        total = session.execute(
            select(func.count()).select_from(Risk).where(Risk.project_id == project.id)
        ).scalar_one()
    return RegisterView(ids=ids, total=total)


def register_context(db, key: str, today: date) -> RegisterContext:
    with db.read() as session:
        project = project_by_key(session, key)
        probability = session.execute(
            select(ProbabilityLevel.level, ProbabilityLevel.name)
            .where(ProbabilityLevel.project_id == project.id)
            .order_by(ProbabilityLevel.level)
        ).all()
        impact = session.execute(
            select(ImpactLevel.level, ImpactLevel.name)
            .where(ImpactLevel.project_id == project.id)
            .order_by(ImpactLevel.level)
        ).all()
        owners = session.execute(
            select(Person.name)
            .where(Person.id.in_(select(Risk.owner_id).where(Risk.project_id == project.id)))
            .order_by(Person.name)
        ).scalars()
        categories = session.execute(
            select(RiskCategory.name)
            .where(RiskCategory.project_id == project.id)
            .order_by(RiskCategory.name)
        ).scalars()
        baseline = baseline_report(session, project.id)
        return RegisterContext(
            key=project.key,
            name=project.name,
            probability_levels=tuple((lv, n) for lv, n in probability),
            impact_levels=tuple((lv, n) for lv, n in impact),
            green_max=project.rag_green_max,
            amber_max=project.rag_amber_max,
            tolerance_score=project.risk_tolerance_score,
            baseline=_baseline_label(baseline),
            owners=tuple(owners),
            categories=tuple(categories),
            today=today,
        )


def _baseline_label(report: HighlightReport | None) -> str | None:
    if report is None:
        return None
    from tracker.domain.dates import format_date

    return f"highlight report {report.number} ({format_date(report.report_date)})"


def _rows_statement():
    """The statement behind ``register_rows``, built once: building a select with aliases
    costs more than running it for a screenful of rows."""
    owner, snap = aliased(Person), aliased(RiskSnapshot)
    return (
        select(
            Risk.id,
            Risk.identifier,
            Risk.title,
            Risk.kind,
            Risk.status,
            Risk.inherent_probability,
            Risk.inherent_impact,
            Risk.residual_probability,
            Risk.residual_impact,
            Risk.proximity_date,
            Risk.proximity_band,
            Risk.updated_at,
            Risk.version,
            owner.name,
            RiskCategory.name,
            RiskResponseType.name,
            snap.status,
            snap.residual_probability,
            snap.residual_impact,
            snap.inherent_probability,
            snap.inherent_impact,
        )
        .outerjoin(owner, owner.id == Risk.owner_id)
        .outerjoin(RiskCategory, RiskCategory.id == Risk.category_id)
        .outerjoin(RiskResponseType, RiskResponseType.id == Risk.response_category_id)
        .outerjoin(snap, and_(snap.risk_id == Risk.id, snap.report_id == bindparam("baseline")))
        .where(
            Risk.project_id == bindparam("project"),
            Risk.id.in_(bindparam("ids", expanding=True)),
        )
    )


_ROWS = _rows_statement()


def register_rows(db, key: str, ids: Sequence[int], today: date) -> list[RegisterRow]:
    """The register rows for ``ids`` (a screenful), in the order given."""
    if not ids:
        return []
    with db.read() as session:
        project = project_by_key(session, key)
        baseline = baseline_report(session, project.id)
        found = {}
        for (
            risk_id,
            identifier,
            title,
            kind,
            status,
            ip,
            ii,
            rp,
            ri,
            proximity_date,
            proximity_band,
            updated_at,
            version,
            owner_name,
            category,
            response,
            s_status,
            s_rp,
            s_ri,
            s_ip,
            s_ii,
        ) in (
            session.connection()
            .execute(
                _ROWS,
                {
                    "project": project.id,
                    "baseline": baseline.id if baseline else -1,
                    "ids": list(ids),
                },
            )
            .all()
        ):
            probability = rp or ip
            impact = ri or ii
            score = probability * impact
            movement = None
            if baseline is not None:
                then = (s_rp * s_ri) if s_rp is not None else (s_ip * s_ii if s_ip else None)
                movement = risk_movement(then, s_status, score, status)
                movement = None if movement == SAME else movement
            found[risk_id] = RegisterRow(
                id=risk_id,
                identifier=identifier,
                title=title,
                kind=kind,
                category=category or "",
                probability=probability,
                impact=impact,
                score=score,
                rag=score_rag(score, project.rag_green_max, project.rag_amber_max),
                above_tolerance=above_tolerance(score, project.risk_tolerance_score),
                proximity_date=proximity_date,
                proximity_band=proximity_band,
                proximity_flag=proximity_flag(proximity_date, proximity_band, status, today),
                owner=owner_name or "",
                response_category=response or "",
                status=status,
                updated_at=updated_at,
                movement=movement,
                version=version,
            )
    return [found[i] for i in ids if i in found]


# --------------------------------------------------------------------------- one risk in full


@dataclass(frozen=True)
class RiskDetail:
    """Everything the register records about one risk, for the detail panel."""

    identifier: str
    title: str
    kind: str
    cause: str
    event: str
    effect: str
    response: str
    early_warning_indicators: str
    actionees: tuple[str, ...]
    author: str
    date_registered: date
    inherent: tuple[int, int]
    residual: tuple[int, int] | None
    inherent_expected_value_pence: int | None
    residual_expected_value_pence: int | None
    closed_on: date | None
    closure_reason: str
    notes: str
    version: int
    links: tuple = ()  # LinkView: the issues it became or was raised by


def risk_detail_by_id(db, key: str, risk_id: int) -> RiskDetail | None:
    """The detail of the risk with this internal id (the register screen's rows), if it is
    still in the project."""
    with db.read() as session:
        project = project_by_key(session, key)
        identifier = session.execute(
            select(Risk.identifier).where(Risk.project_id == project.id, Risk.id == risk_id)
        ).scalar_one_or_none()
    return risk_detail(db, key, identifier) if identifier else None


def risk_detail(db, key: str, identifier: str) -> RiskDetail:
    from tracker.services.links import risk_links
    from tracker.services.risk_changes import find_risk

    with db.read() as session:
        project = project_by_key(session, key)
        risk = find_risk(session, project, identifier)
        percent = dict(
            session.execute(
                select(ProbabilityLevel.level, ProbabilityLevel.percent).where(
                    ProbabilityLevel.project_id == project.id
                )
            ).all()
        )
        actionees = session.execute(
            select(Person.name)
            .join(RiskActionee, RiskActionee.person_id == Person.id)
            .where(RiskActionee.risk_id == risk.id)
            .order_by(Person.name)
        ).scalars()
        author = session.get(Person, risk.author_id) if risk.author_id else None
        residual = (
            (risk.residual_probability, risk.residual_impact)
            if risk.residual_probability is not None
            else None
        )
        return RiskDetail(
            identifier=risk.identifier,
            title=risk.title,
            kind=risk.kind,
            cause=risk.cause,
            event=risk.event,
            effect=risk.effect,
            response=risk.response,
            early_warning_indicators=risk.early_warning_indicators,
            actionees=tuple(actionees),
            author=author.name if author else "",
            date_registered=risk.date_registered,
            inherent=(risk.inherent_probability, risk.inherent_impact),
            residual=residual,
            inherent_expected_value_pence=expected_value_pence(
                risk.inherent_cost_impact_pence, percent.get(risk.inherent_probability)
            ),
            residual_expected_value_pence=expected_value_pence(
                risk.residual_cost_impact_pence,
                percent.get(risk.residual_probability) if residual else None,
            ),
            closed_on=risk.closed_on,
            closure_reason=risk.closure_reason,
            notes=risk.notes,
            version=risk.version,
            links=risk_links(session, risk.id),
        )


# --------------------------------------------------------------------------- history

MONEY_FIELDS = frozenset({"inherent_cost_impact_pence", "residual_cost_impact_pence"})
DATE_FIELDS = frozenset({"date_registered", "proximity_date", "closed_on"})


def risk_history(db, key: str, identifier: str) -> list[HistoryLine]:
    """Every recorded change to a risk, oldest first, in the register's own words (see
    ``tracker.services.history``): its fields, its actionees and its links to issues."""
    from tracker.services.history import HistoryWords, Related, audit_history, people_names
    from tracker.services.links import issue_link_reader
    from tracker.services.risk_changes import find_risk

    with db.read() as session:
        project = project_by_key(session, key)
        risk = find_risk(session, project, identifier)
        people = people_names(session)
        categories = dict(
            session.execute(
                select(RiskCategory.id, RiskCategory.name).where(
                    RiskCategory.project_id == project.id
                )
            ).all()
        )
        responses = dict(
            session.execute(
                select(RiskResponseType.id, RiskResponseType.name).where(
                    RiskResponseType.project_id == project.id
                )
            ).all()
        )
        words = HistoryWords(
            created="registered",
            label=risk.identifier,
            lookups={
                "owner_id": people,
                "author_id": people,
                "category_id": categories,
                "response_category_id": responses,
            },
            money=MONEY_FIELDS,
            dates=DATE_FIELDS,
        )

        def actionee(entry: AuditEntry) -> HistoryLine:
            person_id = int(entry.record_id.split(":")[1])
            name = people.get(person_id, str(person_id))
            action = "actionee added" if entry.action == "insert" else "actionee removed"
            old, new = ("", name) if entry.action == "insert" else (name, "")
            return HistoryLine(entry.occurred_at, entry.actor, action, "actionees", old, new)

        return audit_history(
            session,
            "risk",
            risk.id,
            words,
            [
                Related("risk_actionee", f"{risk.id}:%", actionee),
                issue_link_reader(session, project.id, risk_id=risk.id),
            ],
        )
