"""The API's token schemas."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Length

from app.api.schemas import BeijingDateTime


class TokenRequestSchema(Schema):
    username = fields.Str(required=True, validate=Length(min=1, max=64))
    password = fields.Str(required=True, load_only=True, validate=Length(min=1, max=256))


class PasswordChangeSchema(TokenRequestSchema):
    """The username and present password (the initial password, or the one an
    administrator set), and the password the user chooses."""

    new_password = fields.Str(
        required=True,
        load_only=True,
        validate=Length(min=1, max=200),
        metadata={
            "description": "The user's own password, under the password policy "
            "(docs/security.md) and not the present one."
        },
    )


class TokenSchema(Schema):
    token = fields.Str(
        required=True,
        metadata={"description": "Send as `Authorization: Bearer <token>`; shown only once."},
    )
    expires_at = BeijingDateTime(required=True)
