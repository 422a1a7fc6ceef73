"""What every API module's schemas share: Beijing times, id ranges, date errors, the error
body.

Each package describes its own requests and responses (`app/<package>/schemas.py` or its
`api` module): webargs validates requests with them, flask-smorest dumps responses with
them, and both end up in /api/v1/openapi.json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields
from marshmallow.validate import Range

from app.timeutil import to_beijing

DATE_ERRORS = {"invalid": "请填写有效的日期（如 2026-05-01）。"}
# Ids (and page numbers) are PostgreSQL integers: a larger number could match nothing, and
# would fail in the database (an overflow, a 500) rather than answer 404 or an empty list.
MAX_ID = 2**31 - 1
ID_RANGE = Range(min=1, max=MAX_ID, error="须为 1 至 2147483647 之间的整数。")


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


# -- authentication -----------------------------------------------------------------------
