"""One validation path for the TUI forms, the importers and the command line: parsers raise
``InvalidValue`` with a message about the value; ``Problems`` attaches the field (and row) and
gathers every problem before anything is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class InvalidValue(ValueError):
    """A value that cannot be accepted; the message names the value, not the field."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class ValidationError(ValueError):
    """One or more fields are wrong; nothing was saved."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])

    def for_field(self, field: str) -> str | None:
        return next((e.message for e in self.errors if e.field == field), None)


class Problems:
    """Collects field errors while an input is parsed, then raises them together."""

    def __init__(self, row: int | None = None):
        self.row = row
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message, self.row))

    def take(self, field: str, parse: Callable[..., T], *args, **kwargs) -> T | None:
        """``parse(*args)``, or None with the problem recorded against ``field``."""
        try:
            return parse(*args, **kwargs)
        except InvalidValue as exc:
            self.add(field, str(exc))
            return None

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def required_text(value: str | None, *, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidValue("is required")
    if max_length is not None and len(text) > max_length:
        raise InvalidValue(f"is {len(text)} characters long; at most {max_length} are allowed")
    return text


def optional_text(value: str | None) -> str:
    return (value or "").strip()


def choice(
    value: str | None, options: list[str] | tuple[str, ...], *, required: bool = True
) -> str | None:
    """``value`` matched case-insensitively to one of ``options``."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidValue("is required")
        return None
    for option in options:
        if option.casefold() == text.casefold():
            return option
    raise InvalidValue(f"{text!r} is not one of: {', '.join(options)}")


def whole_number(
    value: str | int | None, *, low: int | None = None, high: int | None = None
) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = (value or "").strip() if isinstance(value, str) else ""
        if not text:
            raise InvalidValue("is required")
        try:
            number = int(text)
        except ValueError:
            raise InvalidValue(f"{text!r} is not a whole number") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidValue(f"{number} is outside {low} to {high}")
    return number


def refuse_unknown_fields(raw: Mapping[str, object], allowed: Iterable[str], register: str) -> None:
    """Refuse raw values naming a field the register does not have (the first, alphabetically)."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ValidationError.single(unknown[0], f"is not a field of the {register}")
