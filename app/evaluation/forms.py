"""Forms of the member-evaluation pages.

The services validate what matters (the window against the campaign's deadline, counts
against the member count); these forms carry the CSRF token, parse the inputs and hold the
errors shown next to each field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.evaluation.tokens import MAX_TOKENS
from app.timeutil import BEIJING

# What a datetime-local input sends (minutes; seconds if the browser adds them).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
MAX_REPORT = 5000


def _when(label: str):  # type: ignore[no-untyped-def]
    return DateTimeLocalField(
        label,
        format=DATETIME_FORMATS,
        tz=BEIJING,  # the inputs are Beijing time; the services store UTC
        validators=[InputRequired(_l("Please enter a date and time."))],
        invalid_value_message=_l("Please enter a date and time such as 2026-05-01 09:00."),
    )


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
