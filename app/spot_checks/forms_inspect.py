"""Forms of the inspector's check log and the union's rectification page.

The services validate what matters (satisfied ≤ interviewed, the conclusion's problems, the
rectification's completeness); these forms carry the CSRF token, parse the few fixed inputs
and hold the errors shown next to each field. The per-item inputs (a finding and notes per
standard item, a statement per item to fix) depend on the standard, so the routes read them
from the request by name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag (3.2)
from wtforms.validators import InputRequired, Length, Optional

from app.spot_checks.checks import MAX_NOTES, MAX_PLACE
from app.web.forms import DateField

DATE_MESSAGE = _l("Please enter a date such as 2026-05-01.")


class LogForm(FlaskForm):
    """The visit (date, place, interview sample) and, read by the route, the item findings.

    The counts are text fields so that whatever was typed comes back on an error; the
    service says what is wrong with them.
    """

    visited_on = DateField(  # type: ignore[call-arg]  # WTForms 3.3; stubs lag (3.2)
        _l("Date of the visit"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=MAX_PLACE)],
        render_kw={"maxlength": MAX_PLACE, "autocomplete": "off"},
    )
    interviewed = StringField(
        _l("Members interviewed"),
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"},
    )
    interviewed_satisfied = StringField(
        _l("Of whom satisfied"),
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"},
    )


CONCLUSIONS = [
    SelectChoice("pass", _l("Pass")),  # the same words as words.CONCLUSION_WORDS
    SelectChoice("rectify", _l("Rectify by a deadline")),
    SelectChoice("fail", _l("Fail")),
]


class ConclusionForm(FlaskForm):
    """An inspector proposes the conclusion; the items to fix are read by the route."""

    conclusion = RadioField(
        _l("Conclusion"),
        choices=CONCLUSIONS,
        validators=[InputRequired(_l("Please choose a conclusion."))],
    )
    deadline = DateField(  # type: ignore[call-arg]  # WTForms 3.3; stubs lag (3.2)
        _l("Rectify by"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    notes = TextAreaField(
        _l("Opinion"),
        validators=[Optional(), Length(max=MAX_NOTES)],
        render_kw={"rows": 3, "maxlength": MAX_NOTES},
    )


class AgreeForm(FlaskForm):
    """Agree to exactly the conclusion shown (named by its fingerprint)."""

    fingerprint = HiddenField()


class RectificationForm(FlaskForm):
    """The union's answers; the statements and files per item are read by the route."""


class DecisionForm(FlaskForm):
    """Accept or reject the rectification; rejecting needs a comment (checked by the service)."""

    comment = TextAreaField(
        _l("Opinion"),
        validators=[Optional(), Length(max=MAX_NOTES)],
        render_kw={"rows": 3, "maxlength": MAX_NOTES},
    )
