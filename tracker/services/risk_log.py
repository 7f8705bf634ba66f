"""The risk log as a table: every field of the PRINCE2 risk register (A.25), for the common
exporter (``tracker.exports.table``) and, read back, for the importer.

Rows are read as columns, not as ORM objects, and streamed: a log of 100,000 risks is written
without holding it in memory. The column titles are also headers the importer recognises, so an
exported file imports into an empty project as the same register.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from db.clock import timestamp_as_stored, utc_from_stored
from db.models import (
    ImpactLevel,
    Person,
    ProbabilityLevel,
    Project,
    Risk,
    RiskActionee,
    RiskCategory,
    RiskResponseType,
)
from tracker.domain.rag import RAG_KEY
from tracker.domain.scoring import expected_value_pence, score_rag
from tracker.exports.table import (
    DATE,
    DATETIME,
    INT,
    MONEY,
    RAG,
    Column,
    Sheet,
    Table,
)
from tracker.services.projects import project_by_key
from tracker.services.risk_register import OPEN_STATUSES, STATUS_FILTERS

RISK_LOG_COLUMNS = (
    Column("identifier", "Risk ID"),
    Column("kind", "Threat or opportunity"),
    Column("title", "Title"),
    Column("category", "Category"),
    Column("cause", "Cause"),
    Column("event", "Event"),
    Column("effect", "Effect"),
    Column("author", "Author"),
    Column("date_registered", "Date registered", DATE),
    Column("inherent_probability", "Inherent probability", INT),
    Column("inherent_impact", "Inherent impact", INT),
    Column("inherent_score", "Inherent score", INT),
    Column("inherent_cost_impact", "Inherent cost impact", MONEY),
    Column("inherent_expected_value", "Inherent expected value", MONEY),
    Column("residual_probability", "Residual probability", INT),
    Column("residual_impact", "Residual impact", INT),
    Column("residual_score", "Residual score", INT),
    Column("residual_cost_impact", "Residual cost impact", MONEY),
    Column("residual_expected_value", "Residual expected value", MONEY),
    Column("score", "Current score", INT),
    Column("rag", "RAG", RAG),
    Column("proximity_date", "Proximity date", DATE),
    Column("proximity_band", "Proximity"),
    Column("response_category", "Response category"),
    Column("response", "Response"),
    Column("early_warning_indicators", "Early warning indicators"),
    Column("status", "Status"),
    Column("owner", "Owner"),
    Column("actionees", "Actionees"),
    Column("closed_on", "Closed on", DATE),
    Column("closure_reason", "Closure reason"),
    Column("notes", "Notes"),
    Column("updated", "Last updated", DATETIME),
)
CHUNK = 1000


@dataclass(frozen=True)
class RiskLogSelection:
    """Which risks a log export holds: by status and minimum current score (the command line),
    or exactly the given ids in the given order (the register screen's current view)."""

    status: str = "open"
    min_score: int | None = None
    ids: Sequence[int] | None = None


def _status_condition(status: str):
    if status not in STATUS_FILTERS:
        choices = ", ".join(STATUS_FILTERS)
        raise ValueError(f"--status: {status!r} is not one of: {choices}")
    if status == "all":
        return None
    if status == "open":
        return col(Risk.status).in_(OPEN_STATUSES)
    return Risk.status == status


def _actionees_by_risk(session, risks) -> dict[int, str]:
    """Each risk's actionees as one "A, B" text, for the risks of ``risks`` (a list of ids, or a
    condition on ``Risk`` that selects them: a whole log is read in one query, not one a chunk)."""
    query = (
        select(RiskActionee.risk_id, Person.name)
        .join(Person, Person.id == RiskActionee.person_id)
        .order_by(RiskActionee.risk_id, Person.name)
    )
    if isinstance(risks, list):
        query = query.where(RiskActionee.risk_id.in_(risks))
    else:
        query = query.join(Risk, Risk.id == RiskActionee.risk_id).where(risks)
    names: dict[int, list[str]] = {}
    for risk_id, name in session.connection().execute(query).all():
        names.setdefault(risk_id, []).append(name)
    return {risk_id: ", ".join(found) for risk_id, found in names.items()}


def _query(project: Project):
    owner, author = aliased(Person), aliased(Person)
    return (
        select(
            Risk.id,
            Risk.identifier,
            Risk.kind,
            Risk.title,
            RiskCategory.name,
            Risk.cause,
            Risk.event,
            Risk.effect,
            author.name,
            Risk.date_registered,
            Risk.inherent_probability,
            Risk.inherent_impact,
            Risk.inherent_cost_impact_pence,
            Risk.residual_probability,
            Risk.residual_impact,
            Risk.residual_cost_impact_pence,
            Risk.proximity_date,
            Risk.proximity_band,
            RiskResponseType.name,
            Risk.response,
            Risk.early_warning_indicators,
            Risk.status,
            owner.name,
            Risk.closed_on,
            Risk.closure_reason,
            Risk.notes,
            timestamp_as_stored(Risk.updated_at),
        )
        .outerjoin(RiskCategory, RiskCategory.id == Risk.category_id)
        .outerjoin(author, author.id == Risk.author_id)
        .outerjoin(owner, owner.id == Risk.owner_id)
        .outerjoin(RiskResponseType, RiskResponseType.id == Risk.response_category_id)
        .where(Risk.project_id == project.id)
    )


def risk_log_table(db, key: str, selection: RiskLogSelection = RiskLogSelection()) -> Table:
    """The risk log of ``key`` as a ``Table`` whose rows stream from the database as they are
    written, with XLSX sheets for the scales, the RAG key and both probability impact grids."""
    with db.read() as session:
        project = project_by_key(session, key)
        condition = _status_condition(selection.status) if selection.ids is None else None
        percent = dict(
            session.execute(
                select(ProbabilityLevel.level, ProbabilityLevel.percent).where(
                    ProbabilityLevel.project_id == project.id
                )
            ).all()
        )
        bands = (project.rag_green_max, project.rag_amber_max)
        project_key, project_id = project.key, project.id

    def rows() -> Iterator[tuple]:
        with db.read() as session:
            project = session.get(Project, project_id)
            base = _query(project)
            if selection.ids is not None:
                for start in range(0, len(selection.ids), CHUNK):
                    wanted = list(selection.ids[start : start + CHUNK])
                    found = {
                        r[0]: r
                        for r in session.connection().execute(base.where(Risk.id.in_(wanted)))
                    }
                    chunk = [found[i] for i in wanted if i in found]
                    actionees = _actionees_by_risk(session, wanted)
                    yield from _rows(chunk, actionees, percent, bands)
                return
            wanted = Risk.project_id == project_id
            if condition is not None:
                wanted = wanted & condition
            if selection.min_score is not None:
                score = func.coalesce(Risk.residual_score, Risk.inherent_score)
                wanted = wanted & (score >= selection.min_score)
            actionees = _actionees_by_risk(session, wanted)
            result = (
                session.connection()
                .execution_options(yield_per=CHUNK)
                .execute(base.where(wanted).order_by(Risk.number))
            )
            for partition in result.partitions():
                yield from _rows(partition, actionees, percent, bands)

    def sheets() -> list[Sheet]:
        with db.read() as session:
            project = session.get(Project, project_id)
            return _reference_sheets(session, project, condition, selection)

    return Table(f"{project_key} risk log", RISK_LOG_COLUMNS, rows(), extra_sheets=sheets)


def _rows(
    chunk, actionees: dict[int, str], percent: dict[int, int], bands: tuple[int, int]
) -> Iterator[tuple]:
    for (
        risk_id,
        identifier,
        kind,
        title,
        category,
        cause,
        event,
        effect,
        author,
        registered,
        ip,
        ii,
        icost,
        rp,
        ri,
        rcost,
        proximity_date,
        proximity_band,
        response_category,
        response,
        warnings,
        status,
        owner,
        closed_on,
        closure_reason,
        notes,
        updated,
    ) in chunk:
        inherent_score = ip * ii
        residual_score = rp * ri if rp is not None else None
        score = residual_score if residual_score is not None else inherent_score
        yield (
            identifier,
            kind,
            title,
            category,
            cause,
            event,
            effect,
            author,
            registered,
            ip,
            ii,
            inherent_score,
            icost,
            expected_value_pence(icost, percent.get(ip)),
            rp,
            ri,
            residual_score,
            rcost,
            expected_value_pence(rcost, percent.get(rp)) if rp is not None else None,
            score,
            score_rag(score, *bands),
            proximity_date,
            proximity_band,
            response_category,
            response,
            warnings,
            status,
            owner,
            actionees.get(risk_id, ""),
            closed_on,
            closure_reason,
            notes,
            utc_from_stored(updated),
        )


def _reference_sheets(session, project: Project, condition, selection: RiskLogSelection) -> list:
    """The scales and RAG key, and the inherent and residual grids, as extra XLSX sheets."""
    probability = session.execute(
        select(ProbabilityLevel.level, ProbabilityLevel.name, ProbabilityLevel.percent)
        .where(ProbabilityLevel.project_id == project.id)
        .order_by(ProbabilityLevel.level)
    ).all()
    impact = session.execute(
        select(ImpactLevel.level, ImpactLevel.name, ImpactLevel.description)
        .where(ImpactLevel.project_id == project.id)
        .order_by(ImpactLevel.level)
    ).all()
    green, amber = project.rag_green_max, project.rag_amber_max
    key_rows: list[list] = [["Scale", "Level", "Name", "Meaning"]]
    key_rows += [["Probability", lv, name, f"about {pct}%"] for lv, name, pct in probability]
    key_rows += [["Impact", lv, name, text] for lv, name, text in impact]
    key_rows += [[], ["RAG band", "Scores", "", "Meaning"]]
    fills: dict[tuple[int, int], str] = {}
    for rag, scores, meaning in (
        ("green", f"1 to {green}", "Within the project's appetite: manage in the register"),
        ("amber", f"{green + 1} to {amber}", "Watch: responses planned and owned"),
        ("red", f"{amber + 1} and above", "Serious: active management, report to the board"),
    ):
        fills[(len(key_rows), 0)] = rag
        key_rows.append([rag.capitalize(), scores, "", meaning])
    key_rows += [
        [],
        [
            "Risk tolerance line",
            project.risk_tolerance_score,
            "",
            "Risks scoring this or more go to the Project Board",
        ],
        ["Score", "", "", "Probability x impact; current = residual where assessed, else inherent"],
        ["Expected value", "", "", "Cost impact x the probability level's percentage"],
    ]
    key_rows += [[], ["Tolerance RAG", "", "", "Meaning"]]
    key_rows += [[rag.capitalize(), "", "", meaning] for rag, meaning in RAG_KEY.items()]
    sheets = [Sheet("Scales and RAG key", key_rows, fills)]

    levels_p = [lv for lv, *_ in probability]
    levels_i = [lv for lv, *_ in impact]
    for basis, (p_col, i_col) in (
        ("Inherent", (Risk.inherent_probability, Risk.inherent_impact)),
        (
            "Residual",
            (
                func.coalesce(Risk.residual_probability, Risk.inherent_probability),
                func.coalesce(Risk.residual_impact, Risk.inherent_impact),
            ),
        ),
    ):
        query = (
            select(Risk.kind, p_col, i_col, func.count())
            .where(Risk.project_id == project.id)
            .group_by(Risk.kind, p_col, i_col)
        )
        if selection.ids is not None:
            query = query.where(Risk.id.in_(list(selection.ids)))
        else:
            if condition is not None:
                query = query.where(condition)
            if selection.min_score is not None:
                query = query.where(
                    func.coalesce(Risk.residual_score, Risk.inherent_score) >= selection.min_score
                )
        counts = {(k, p, i): n for k, p, i, n in session.execute(query).all()}
        rows: list[list] = []
        grid_fills: dict[tuple[int, int], str] = {}
        for kind in ("threat", "opportunity"):
            rows.append([f"{kind.capitalize()}s: probability (down) by impact (across)"])
            rows.append(["Probability \\ Impact", *levels_i])
            for p in reversed(levels_p):
                r = len(rows)
                for c, i in enumerate(levels_i, start=1):
                    grid_fills[(r, c)] = score_rag(p * i, green, amber) or ""
                rows.append([p, *(counts.get((kind, p, i), 0) for i in levels_i)])
            rows.append([])
        if basis == "Residual":
            rows.append(["Residual: residual values where assessed, else inherent"])
        sheets.append(Sheet(f"{basis} matrix", rows, grid_fills))
    return sheets
