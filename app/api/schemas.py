"""What every API module's schemas share: Beijing times, id ranges, date errors, the error
body.

Each package describes its own requests and responses (`app/<package>/schemas.py` or its
`api` module): webargs validates requests with them, flask-smorest dumps responses with
them, and both end up in /api/v1/openapi.json.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields
from marshmallow.types import ErrorMessages
from marshmallow.validate import Range, Validator

from app.dbtypes import INT4_MAX, INT4_MIN
from app.timeutil import to_beijing
from app.web.forms import EARLIEST, LATEST

# A field's `error_messages`, translated when a request is validated. Each message is a
# list of one lazy string: marshmallow puts a message in a list only when it is a `str`,
# which a lazy string is not, and the API's errors are lists of messages per field.
DATE_ERRORS: ErrorMessages = {"invalid": [_l("Please enter a valid date (e.g. 2026-05-01).")]}
# Ids (and page numbers) are PostgreSQL integers: a larger number could match nothing, and
# would fail in the database (an overflow, a 500) rather than answer 404 or an empty list.
MAX_ID = INT4_MAX
# A validator's message is formatted (`str.format`) when it fails, which translates it.
ID_RANGE = Range(min=1, max=MAX_ID, error=_l("Must be a whole number from 1 to 2147483647."))
# What any whole number of a request is held to, unless its field says less.
INT4_RANGE = Range(
    min=INT4_MIN, max=INT4_MAX, error=_l("Must be a whole number from {min} to {max}.")
)


class WithinYears(Validator):
    """A date (or a date and time) within the years the product works in, as on the forms
    (`app.web.forms.EARLIEST`…`LATEST`): 9999-12-31 leaves no room for the working days a
    period adds, nor a time of that day for its conversion to UTC (an overflow, a 500)."""

    def __call__(self, value: date | datetime) -> date | datetime:
        day = value.date() if isinstance(value, datetime) else value
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(
                _(
                    "Please enter a date from %(first)s to %(last)s.",
                    first=EARLIEST.year,
                    last=LATEST.year,
                )
            )
        return value


def in_database_range(schema: Any) -> Any:
    """Hold every whole number and date a request schema reads to what the product holds.

    `ApiParser` calls this for each schema it is given, at import time, so the ranges are
    in the OpenAPI document too: every `Integer` field (in lists, dictionaries and nested
    schemas as well) without a `Range` inside PostgreSQL's `integer` gets `INT4_RANGE`, and
    every date and date-time field gets `WithinYears`. Both the schema class's declared
    fields (which later instances copy) and an instance's own are changed. Returns
    `schema`."""
    stack: list[Any] = [schema]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, type) and issubclass(item, Schema):
            stack.extend(item._declared_fields.values())
        elif isinstance(item, Schema):
            stack.extend([type(item), *item.fields.values()])
        elif isinstance(item, dict):  # webargs also takes a dict of fields
            stack.extend(item.values())
        elif isinstance(item, fields.Integer):
            if not any(_within_int4(v) for v in item.validators):
                item.validators.append(INT4_RANGE)
        elif isinstance(item, (fields.Date, fields.DateTime)):
            if not any(isinstance(v, WithinYears) for v in item.validators):
                item.validators.append(WithinYears())
        elif isinstance(item, fields.List):
            stack.append(item.inner)
        elif isinstance(item, fields.Tuple):
            stack.extend(item.tuple_fields)
        elif isinstance(item, fields.Mapping):
            stack.extend(f for f in (item.key_field, item.value_field) if f is not None)
        elif isinstance(item, fields.Nested):
            stack.append(item.schema)
    return schema


def _within_int4(validator: Any) -> bool:
    return (
        isinstance(validator, Range)
        and validator.min is not None
        and validator.max is not None
        and INT4_MIN <= validator.min
        and validator.max <= INT4_MAX
    )


class BeijingDateTime(fields.DateTime):
    """ISO 8601 in Beijing time (`+08:00`); every time is stored in UTC."""

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        if value is None:
            return None
        return super()._serialize(to_beijing(value), attr, obj, **kwargs)


# -- errors -------------------------------------------------------------------------------


class ApiErrorSchema(Schema):
    """Every error body (`app.web.errors.json_error`), whatever the status."""

    code = fields.Int(required=True, metadata={"description": "The HTTP status."})
    message = fields.Str(required=True, metadata={"description": "What went wrong, to show."})
    errors = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        metadata={"description": "Per-field problems: field name → messages."},
    )
    problems = fields.List(
        fields.Str(), metadata={"description": "Further reasons, e.g. the guards that failed."}
    )
    reason = fields.Str(
        metadata={
            "description": "A machine-readable reason, where a client can act on it: "
            "`password_change_required` (403): the user must choose a password first, "
            "with `POST /api/v1/auth/password`."
        }
    )


# -- authentication -----------------------------------------------------------------------
