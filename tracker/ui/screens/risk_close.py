"""Closing a risk: the register keeps why and when, so the reason is asked for."""

from __future__ import annotations

from tracker.ui.screens.record_form import RecordForm


class CloseRiskScreen(RecordForm):
    """Close a risk with a reason (required) and a date (default today). Enter closes it;
    Escape cancels."""

    FORM_ID = "close-dialog"
    FIELDS = ("closure reason", "closed on")
    LAYOUT = (("closure reason",), ("closed on",))
    REQUIRED = frozenset({"closure reason"})
    LABELS = {"closure reason": "Why is it closed?", "closed on": "Closed on"}
    HINTS = {
        "closure reason": "e.g. contracts signed; the threat has passed",
        "closed on": "day first, default today",
    }
    SAVE_LABEL = "Close the risk"
    SAVE_VARIANT = "warning"
    COMPACT = True
    SUBMIT_ON_ENTER = True
    SAVES_CHANGES = False

    def heading(self) -> str:
        return f"Close {self.key} {self.identifier}"

    def load(self, db):
        from tracker.services.risk_register import risk_detail

        detail = risk_detail(db, self.key, self.identifier)
        return detail, {"closure reason": "", "closed on": ""}, detail.version

    def fill(self, detail, values: dict[str, str]) -> None:
        self.set_intro(detail.title)

    def save(self, db, values: dict[str, str], version: int | None):
        from tracker.domain.clock import today
        from tracker.services.risk_changes import close_risk

        return close_risk(
            db,
            self.key,
            self.identifier,
            reason=values["closure reason"],
            closed_on=values["closed on"],
            opened_version=version,
            today=today(),
        )

    def conflict(self, conflict) -> None:
        """Closing asks for nothing the other person changed: say so and read the risk again
        (keeping what was typed), so a second Enter closes the version that is there now."""
        self.show_problems({"closure reason": str(conflict)}, "Not closed.")
        self.read_version_again()
