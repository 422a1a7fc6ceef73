from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.web.forms import IntegerField, optional_id


class NewNominationForm(FlaskForm):
    campaign_id = SelectField(
        _l("Campaign"), coerce=int, validators=[DataRequired(_l("Please choose a campaign."))]
    )
    award_type = SelectField(_l("Award"), validators=[DataRequired(_l("Please choose an award."))])
    org_code = SelectField(
        _l("Nominated unit"), validators=[DataRequired(_l("Please choose a unit."))]
    )
    nominee_name = StringField(
        _l("Nominee (outstanding union worker only)"), validators=[Optional(), Length(max=100)]
    )


class ActionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    campaign_id = SelectField(_l("Campaign"), coerce=optional_id, validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()])
    district_id = SelectField(_l("District"), coerce=optional_id, validators=[Optional()])
    q = StringField(_l("Union name"), validators=[Optional(), Length(max=100)])
