"""The risk form: every field of the PRINCE2 risk register, for a new risk or an edit.

Values go to the service as the raw text a person typed; ``parse_risk`` (the one validation path,
shared with the importer and the command line) accepts them or names every bad field, and the
form shows each message under its field with nothing saved. A save made on an old version opens
the conflict screen instead of overwriting anyone's change.
"""

from __future__ import annotations

from textual import on
from textual.widgets import Select, SelectionList

from tracker.services.risks import RISK_FIELDS
from tracker.ui.screens.record_form import RecordForm, slug

LONG_TEXT = {"cause", "event", "effect", "response", "early warning indicators", "notes"}
CHOICES = {
    "kind",
    "status",
    "category",
    "inherent probability",
    "inherent impact",
    "residual probability",
    "residual impact",
    "proximity band",
    "response category",
    "owner",
    "author",
}
REQUIRED = {"kind", "title", "inherent probability", "inherent impact", "status"}
HINTS = {
    "title": "a short name for the risk",
    "cause": "the source of the risk: a fact or situation today",
    "event": "what might happen (the threat or opportunity)",
    "effect": "what it would do to the project's objectives",
    "date registered": "day first, e.g. 07/12/2011 (default today)",
    "inherent cost impact": "before any response, in pounds, e.g. £40,000",
    "residual cost impact": "after the response, in pounds",
    "proximity date": "when it could happen, day first",
    "owner": "one person manages the risk (not needed for a draft)",
    "actionees": "who carries out the responses (Space to tick)",
    "closed on": "day first (default today)",
    "closure reason": "required to close a risk",
}
LAYOUT = (
    ("kind", "status", "category", "date registered"),
    ("title",),
    ("cause",),
    ("event",),
    ("effect",),
    ("inherent probability", "inherent impact", "inherent cost impact"),
    ("residual probability", "residual impact", "residual cost impact"),
    ("proximity date", "proximity band", "response category"),
    ("response",),
    ("early warning indicators",),
    ("owner", "author"),
    ("actionees",),
    ("closed on", "closure reason"),
    ("notes",),
)


class RiskForm(RecordForm):
    """Add or edit a risk. F2 or the Save button saves; Escape leaves without saving."""

    FORM_ID = "risk-form"
    FIELDS = RISK_FIELDS
    LAYOUT = LAYOUT
    LONG_TEXT = frozenset(LONG_TEXT)
    CHOICES = frozenset(CHOICES)
    PEOPLE_LISTS = frozenset({"actionees"})
    REQUIRED = frozenset(REQUIRED)
    HINTS = HINTS

    def heading(self) -> str:
        return f"{self.key} {self.identifier}: edit risk" if self.identifier else "New risk"

    def load(self, db):
        from tracker.services.risk_changes import risk_for_editing, risk_form_choices

        choices = risk_form_choices(db, self.key)
        if self.identifier:
            values, version = risk_for_editing(db, self.key, self.identifier)
        else:
            values, version = (
                {f: "" for f in RISK_FIELDS} | {"kind": "threat", "status": "active"},
                None,
            )
        return choices, values, version

    def fill(self, choices, values: dict[str, str]) -> None:
        self.set_options("kind", [(k.capitalize(), k) for k in choices.kinds])
        self.set_options("status", [(s.capitalize(), s) for s in choices.statuses])
        self.set_options("category", [(c, c) for c in choices.categories])
        for field, levels in (
            ("inherent probability", choices.probability),
            ("residual probability", choices.probability),
            ("inherent impact", choices.impact),
            ("residual impact", choices.impact),
        ):
            self.set_options(field, [(label, str(level)) for level, label in levels])
        self.set_options("proximity band", [(b.capitalize(), b) for b in choices.proximity_bands])
        self.set_options("owner", [(p, p) for p in choices.people])
        self.set_options("author", [(p, p) for p in choices.people])
        self._responses_for(values.get("kind") or "threat")
        people = self.query_one(f"#f-{slug('actionees')}", SelectionList)
        chosen = {n.strip() for n in values.get("actionees", "").split(",") if n.strip()}
        people.clear_options()
        people.add_options([(p, p, p in chosen) for p in choices.people])

    def first_field(self) -> str:
        return "#f-kind" if self.identifier else "#f-title"

    def _responses_for(self, kind: str) -> None:
        choices = self.choices or self._pending
        options = [(r.capitalize(), r) for r in choices.responses.get(kind, ())]
        select = self.query_one(f"#f-{slug('response category')}", Select)
        current = select.value
        self._offered["response category"] = {value for _, value in options}
        select.set_options(options)
        if current in self._offered["response category"]:
            select.value = current

    @on(Select.Changed, "#f-kind")
    def kind_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self._responses_for(str(event.value))

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.risk_changes import add_risk, change_risk

        if self.identifier:
            return change_risk(
                db,
                self.key,
                self.identifier,
                values,
                opened_version=version,
                today=today(),
                opened=self.opened,
            )
        return add_risk(db, self.key, values, today=today())
