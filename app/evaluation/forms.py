"""Forms of the member-evaluation pages.

The services validate what matters (the window against the campaign's deadline, counts
against the member count); these forms carry the CSRF token, parse the inputs and hold the
errors shown next to each field.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.evaluation.models import Choice, MemberEvaluation
from app.evaluation.tallies import MAX_REPORT
from app.evaluation.tokens import MAX_TOKENS
from app.timeutil import BEIJING
from app.web.forms import DateTimeLocalField, IntegerField, whole_number

# What a datetime-local input sends (minutes; seconds if the browser adds them).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
CHOICE_VALUES = [c.value for c in Choice]
_T = TypeVar("_T", covariant=True)
_SERIAL_SPLIT = re.compile(r"[\s,，、;；]+")
_SERIAL_RANGE = re.compile(r"^([0-9]+)\s*[-–—~～至到]\s*([0-9]+)$")


def _when(label: str) -> DateTimeLocalField:
    # types-WTForms (3.2) does not know WTForms 3.3's `tz` and `invalid_value_message`.
    return DateTimeLocalField(  # type: ignore[call-arg]
        label,
        format=DATETIME_FORMATS,
        tz=BEIJING,  # the inputs are Beijing time; the services store UTC
        validators=[InputRequired(_l("Please enter a date and time."))],
        invalid_value_message=_l("Please enter a date and time such as 2026-05-01 09:00."),
    )


class _Entered(Protocol[_T]):
    @property
    def data(self) -> _T | None: ...


def entered(field: _Entered[_T]) -> _T:
    """What a validated field holds when its validators require a value (InputRequired)."""
    assert field.data is not None
    return field.data


class OpenEvaluationForm(FlaskForm):
    opens_at = _when(_l("Start (Beijing time)"))
    closes_at = _when(_l("End (Beijing time)"))
    member_count = IntegerField(
        _l("Number of members"),
        validators=[
            InputRequired(_l("Please enter the number of members.")),
            NumberRange(
                min=1, max=MAX_TOKENS, message=_l("Enter a number between %(min)s and %(max)s.")
            ),
        ],
    )


class IssueTokensForm(FlaskForm):
    count = IntegerField(
        _l("Number of new links"),
        validators=[
            InputRequired(_l("Please enter how many links to issue.")),
            NumberRange(
                min=1, max=MAX_TOKENS, message=_l("Enter a number between %(min)s and %(max)s.")
            ),
        ],
    )


class VoidTokensForm(FlaskForm):
    serials = StringField(
        _l("Serial numbers to void"),
        validators=[DataRequired(_l("Please enter the serial numbers to void.")), Length(max=2000)],
    )


def _tally(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Please enter a whole number (0 if none).")),
            NumberRange(
                min=0, max=MAX_TOKENS, message=_l("Enter a number between %(min)s and %(max)s.")
            ),
        ],
    )


class PaperTallyForm(FlaskForm):
    satisfied = _tally(_l("Satisfied"))
    basic = _tally(_l("Basically satisfied"))
    dissatisfied = _tally(_l("Dissatisfied"))
    invalid = IntegerField(
        _l("Invalid (spoilt) ballots"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_TOKENS, message=_l("Enter a number between %(min)s and %(max)s.")
            ),
        ],
    )
    tally_sheet = FileField(_l("Scanned tally sheet"))


class ReportForm(FlaskForm):
    process_notes = TextAreaField(
        _l("How the evaluation was organised"),
        validators=[Optional(), Length(max=MAX_REPORT)],
        render_kw={"rows": 4},
    )
    rectification_measures = TextAreaField(
        _l("Rectification measures"),
        validators=[Optional(), Length(max=MAX_REPORT)],
        render_kw={"rows": 4},
    )


class CloseEarlyForm(FlaskForm):
    """A button: close the evaluation before the end of its window."""


class BallotPageForm(FlaskForm):
    """The member's ballot: its questions come from the evaluation, read by the route."""


# -- inputs the forms leave as text -------------------------------------------------------


def parse_serials(text: str) -> tuple[list[int], str | None]:
    """ "12, 13 15-18" → [12, 13, 15, 16, 17, 18]; or an error message."""
    serials: set[int] = set()
    for part in _SERIAL_SPLIT.split(text.strip()):
        if not part:
            continue
        serial = whole_number(part, 1) if part.isascii() and part.isdigit() else None
        if serial is not None:
            serials.add(serial)
            continue
        match = _SERIAL_RANGE.match(part)
        ends = [whole_number(end, 1) for end in match.groups()] if match else [None]
        if None in ends:
            return [], _(
                "“%(part)s” is not a serial number: write numbers such as 12, 15 or "
                "ranges such as 12-15.",
                part=part,
            )
        first, last = sorted(int(end or 0) for end in ends)
        if last - first >= MAX_TOKENS:
            return [], _("The range %(part)s is too long.", part=part)
        serials.update(range(first, last + 1))
        if len(serials) > MAX_TOKENS:
            return [], _("Too many serial numbers at once.")
    if not serials:
        return [], _("Please enter the serial numbers to void.")
    return sorted(serials), None


def parse_dimension_counts(
    evaluation: MemberEvaluation, form: MultiDict[str, str]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]], dict[str, list[str]]]:
    """Optional paper counts per dimension: (counts, what was typed, errors by code)."""
    counts: dict[str, dict[str, int]] = {}
    typed: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for dimension in evaluation.dimensions:
        code = dimension["code"]
        raw = {c: (form.get(f"dim.{code}.{c}") or "").strip() for c in CHOICE_VALUES}
        typed[code] = raw
        if not any(raw.values()):
            continue
        values: dict[str, int] = {}
        for choice, text in raw.items():
            if not text:
                values[choice] = 0
            elif (number := whole_number(text, 0, MAX_TOKENS)) is not None:
                values[choice] = number
            else:
                errors[code] = [_("Please enter whole numbers (0 if none).")]
        if code not in errors:
            counts[code] = values
    return counts, typed, errors
