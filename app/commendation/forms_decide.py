"""Forms of the city federation's 表彰 pages: the decision board, the publicity list with its
objections and the commendation.

The services validate what matters (quotas, the period, the answer's reasons, the 文号);
these forms carry the CSRF token, parse the few fixed inputs, keep what was typed and hold
the errors shown next to each field. The per-candidate rank and checkbox depend on the
candidates, so the route reads them from the request by name.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField

# WTForms deprecates choices as tuples for SelectChoice, which types-WTForms lacks.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.commendation.models import MAX_TEXT
from app.web.forms import DateField

DATE_MESSAGE = _l("Please enter a date such as 2026-05-01.")

ANSWER_CHOICES = [
    SelectChoice("dismiss", _l("Objection not upheld")),
    SelectChoice("not_commended", _l("Objection upheld · not commended")),
    SelectChoice("rectification", _l("Objection upheld · rectify by a deadline")),
]


def date_field(label: Any, *validators: Any) -> DateField:
    """A date field that answers DATE_MESSAGE to what is not a date."""
    # types-WTForms lacks `invalid_value_message`, which WTForms's date fields take.
    return DateField(  # type: ignore[call-arg]
        label, validators=list(validators), invalid_value_message=DATE_MESSAGE
    )


class SelectionForm(FlaskForm):
    """The candidate table's 保存: ranks and checkboxes are read by name from the request."""


class PublishForm(FlaskForm):
    """Publish the selected candidates for the campaign's number of working days."""

    starts_on = date_field(_l("First day of the publicity"), InputRequired(DATE_MESSAGE))
    title = StringField(
        _l("Title of the published list"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)s characters."))],
        render_kw={"maxlength": 200},
    )


class AnswerForm(FlaskForm):
    """The city's answer to one objection (prefixed per objection on the page)."""

    decision = RadioField(
        _l("Is the objection upheld?"),
        choices=ANSWER_CHOICES,
        validators=[InputRequired(_l("Please choose whether the objection is upheld."))],
    )
    answer = TextAreaField(
        _l("Answer (what was checked and why)"),
        render_kw={"rows": 3},
        validators=[
            DataRequired(_l("Please write the answer: what was checked and the reasons.")),
            Length(max=MAX_TEXT, message=_l("At most %(max)s characters.")),
        ],
    )
    deadline = date_field(_l("Rectify by"), Optional())


class CommendForm(FlaskForm):
    """The commendation decision of one published list (prefixed per publicity)."""

    document_number = StringField(
        _l("Decision document number (文号)"),
        validators=[
            DataRequired(_l("Please enter the document number, such as “×工发〔2026〕12号”.")),
            Length(max=64, message=_l("At most %(max)s characters.")),
        ],
        render_kw={"maxlength": 64, "autocomplete": "off"},
    )
    decided_on = date_field(_l("Date of the decision"), InputRequired(DATE_MESSAGE))
