"""Form helpers every package shares: service errors shown next to the fields they
concern; whole numbers held to the database's range (the form field, a select's `coerce`,
query and form values read by hand, the list page); decimals that are numbers; dates within
the years the product works in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import wtforms
from flask import request
from flask_babel import gettext as _
from wtforms.validators import NumberRange, StopValidation

from app.dbtypes import INT4_MAX, INT4_MIN


def apply_errors(
    form: Any, errors: dict[str, list[str]], aliases: dict[str, str] | None = None
) -> list[str]:
    """Put a DomainError's field errors next to the form's fields (a service field name may
    be mapped to a form field by `aliases`); return the messages of no field on the form."""
    rest: list[str] = []
    for name, messages in errors.items():
        field = getattr(form, (aliases or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [m for m in messages if m not in field.errors]
        else:
            rest.extend(messages)
    return rest


# -- whole numbers in the database's range ------------------------------------------------


def whole_number(value: object, minimum: int = INT4_MIN, maximum: int = INT4_MAX) -> int | None:
    """`value` (a form's or a query's text) as an int in [minimum, maximum], else None:
    text that is no whole number, or one the database's integer cannot hold."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.lstrip("+-").isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def optional_id(value: object) -> int | None:
    """A select's value as an id (its `coerce`): the empty choice is none, an id no
    database row can have is refused as an invalid choice."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        number: int | None = value if 1 <= value <= INT4_MAX else None
    else:
        number = whole_number(value, 1)
    if number is None:
        raise ValueError(value)
    return number


def query_int(name: str, minimum: int = INT4_MIN, maximum: int = INT4_MAX) -> int | None:
    """The query parameter `name` as a whole number in range, or None (missing, not a
    number, or beyond what the database holds): `request.args.get(name, type=int)`
    without the overflow."""
    return whole_number(request.args.get(name), minimum, maximum)


def form_int(name: str, minimum: int = INT4_MIN, maximum: int = INT4_MAX) -> int | None:
    """The posted field `name` as a whole number in range, or None (as `query_int`)."""
    return whole_number(request.form.get(name), minimum, maximum)


def page_number() -> int:
    """The list page asked for (`?page=`), 1 when missing or out of range; pass it to
    `db.paginate`, which would otherwise read the query's number unbounded."""
    return query_int("page", 1) or 1


class IntegerField(wtforms.IntegerField):
    """wtforms' IntegerField held to the database's integer range (every form's whole
    numbers use this one, tests/test_fuzz_inputs.py checks). A `NumberRange` among the
    validators narrows the range (headcounts from 0), and the message names the range."""

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            return
        low, high = INT4_MIN, INT4_MAX
        for validator in self.validators:
            if isinstance(validator, NumberRange):
                low = max(low, int(validator.min if validator.min is not None else low))
                high = min(high, int(validator.max if validator.max is not None else high))
        if not INT4_MIN <= self.data <= INT4_MAX:
            raise StopValidation(
                _("Please enter a whole number from %(low)s to %(high)s.", low=low, high=high)
            )


class DecimalField(wtforms.DecimalField):
    """wtforms' DecimalField that takes only finite numbers: `Decimal` reads "NaN", "sNaN"
    and "Infinity" too, which no column holds (and a signalling NaN fails the first
    comparison a validator makes)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


# The years a campaign can be held in (the campaign form's year, the calendar's pages): a
# date far outside is a typing slip, and the year 9999 leaves no room for the working days
# a deadline adds (an overflow, a 500).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class _WithinYears:
    """A date (or date and time) field refusing days outside EARLIEST..LATEST."""

    def pre_validate(self, form: Any) -> None:
        value = getattr(self, "data", None)
        day = value.date() if isinstance(value, datetime) else value
        if day is not None and not EARLIEST <= day <= LATEST:
            raise StopValidation(
                _(
                    "Please enter a date from %(first)s to %(last)s.",
                    first=EARLIEST.year,
                    last=LATEST.year,
                )
            )


class DateField(_WithinYears, wtforms.DateField):
    """wtforms' DateField within the product's years."""


class DateTimeLocalField(_WithinYears, wtforms.DateTimeLocalField):
    """wtforms' DateTimeLocalField within the product's years."""
