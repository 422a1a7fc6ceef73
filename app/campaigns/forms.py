"""The city federation's campaign form, with one date per stage and one quota per district."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields import Field
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.campaigns.models import STAGE_LABELS
from app.campaigns.services import STAGE_ORDER, deadline_field, quota_field
from app.orgs.models import Organization
from app.web.forms import DateField, DecimalField, IntegerField, optional_id
from app.web.templating import label


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter a name.")), Length(max=200)]
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Please enter the year.")),
            NumberRange(min=2000, max=2100, message=_l("Between 2000 and 2100.")),
        ],
    )
    level = SelectField(_l("Level"), validators=[DataRequired(_l("Please choose a level."))])
    award_types = MultiCheckboxField(
        _l("Awards"), validators=[DataRequired(_l("Choose at least one award."))]
    )
    status = SelectField(_l("Status"), validators=[DataRequired(_l("Please choose a status."))])
    standard_version_id = SelectField(
        _l("Standard"),
        coerce=optional_id,
        validators=[DataRequired(_l("Please choose the standard."))],
    )
    evaluation_rule = SelectField(_l("Satisfaction counts"))
    evaluation_min_turnout = DecimalField(
        _l("Minimum turnout (0–1, optional)"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=1, message=_l("Between 0 and 1, e.g. 0.5.")),
        ],
        render_kw={"step": "0.01", "inputmode": "decimal"},
    )
    review_working_days = IntegerField(
        _l("Review time (working days, optional)"),
        validators=[Optional(), NumberRange(min=1, max=60, message=_l("Between 1 and 60."))],
        render_kw={"inputmode": "numeric"},
    )
    publicity_working_days = IntegerField(
        _l("Publicity period (working days)"),
        default=5,
        validators=[
            DataRequired(_l("Please enter the publicity period.")),
            NumberRange(min=1, max=30, message=_l("Between 1 and 30.")),
        ],
        render_kw={"inputmode": "numeric"},
    )

    @property
    def deadline_fields(self) -> list[Field]:
        return [self[deadline_field(stage)] for stage in STAGE_ORDER]

    @property
    def quota_fields(self) -> list[Field]:
        return [self[name] for name in self._quota_names]

    _quota_names: list[str] = []


def campaign_form(districts: list[Organization], **kwargs: Any) -> CampaignForm:
    """The form with one date per stage and one quota per district of the organiser.

    Built per request: the districts come from the tree, the labels in the user's language.
    """

    class Form(CampaignForm):
        _quota_names = [quota_field(d.id) for d in districts]

    for stage in STAGE_ORDER:
        setattr(
            Form,
            deadline_field(stage),
            DateField(
                label(STAGE_LABELS[stage]),
                validators=[Optional()],
                render_kw={"data-stage": stage.value},
            ),
        )
    for district in districts:
        setattr(
            Form,
            quota_field(district.id),
            IntegerField(
                district.name,
                default=0,
                render_kw={"min": 0, "inputmode": "numeric"},
                validators=[
                    InputRequired(_l("Enter a number (0 or more).")),
                    NumberRange(min=0, message=_l("Must be 0 or more.")),
                ],
            ),
        )
    return Form(**kwargs)
