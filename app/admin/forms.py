from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.auth.mobile import normalise_mobile
from app.auth.services import EMAIL_PATTERN
from app.web.forms import IntegerField, optional_id


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Username or name"), validators=[Optional(), Length(max=100)])


class NewUserForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )
    display_name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter a name.")), Length(max=100)]
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[
            DataRequired(_l("Please enter a password.")),
            Length(min=8, message=_l("At least 8 characters.")),
        ],
    )
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Please choose a role."))])
    org_id = SelectField(
        _l("Organisation"),
        coerce=optional_id,
        validators=[InputRequired(_l("Please choose an organisation."))],
    )


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Please choose a role."))])
    org_id = SelectField(
        _l("Organisation"),
        coerce=optional_id,
        validators=[InputRequired(_l("Please choose an organisation."))],
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Please enter a password.")),
            Length(min=8, message=_l("At least 8 characters.")),
        ],
    )


def _mainland_mobile(form: FlaskForm, field: StringField) -> None:
    try:
        field.data = normalise_mobile(field.data)
    except ValueError as exc:
        raise ValidationError(
            _l("Please enter a mainland mobile number of 11 digits, such as 138 0013 8000.")
        ) from exc


class EmailForm(FlaskForm):
    """How the user is reached: the e-mail for reminders and the mobile number."""

    email = StringField(
        _l("E-mail for reminders"),
        validators=[
            Optional(),
            Length(max=255),
            Regexp(EMAIL_PATTERN, message=_l("Please enter a valid e-mail address.")),
        ],
    )
    mobile = StringField(
        _l("Mobile number"),
        validators=[Length(max=32), _mainland_mobile],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class OrgFilterForm(FlaskForm):
    class Meta:
        csrf = False

    level = SelectField(_l("Level"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    q = StringField(_l("Code or name"), validators=[Optional(), Length(max=100)])


class EditOrgForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter a name.")), Length(max=200)]
    )
    category = SelectField(_l("Category"), validators=[Optional()])
    is_state_owned = BooleanField(_l("State-owned enterprise"))
    staff_count = IntegerField(
        _l("Staff"), validators=[Optional(), NumberRange(min=0, message=_l("Must be 0 or more."))]
    )
    member_count = IntegerField(
        _l("Members"), validators=[Optional(), NumberRange(min=0, message=_l("Must be 0 or more."))]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])


class NewOrgForm(EditOrgForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(_l("Please enter a code.")), Length(max=32)]
    )
    level = SelectField(_l("Level"), validators=[DataRequired(_l("Please choose a level."))])
    parent_id = SelectField(
        _l("Parent"), coerce=optional_id, validators=[InputRequired(_l("Please choose a parent."))]
    )


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired(_l("Please choose a file."))],
    )


class ImportConfirmForm(FlaskForm):
    deactivate_missing = BooleanField(_l("Also deactivate the organisations this file leaves out"))
