"""One-time ways in for new users, and the password a user chooses in place of one someone
else set.

An administrator (or the user import, `app/admin/user_import.py`) issues each user either
an *initial password*, typed at the login like a password, or an *activation link*
(`/activate/<secret>`), where the user sets a password. Either works once, for
`ACTIVATION_DAYS`. The secrets are random (an initial password: 10 characters of an
alphabet without 0/O/1/l/I, about 49 bits, lower case so that it reads aloud and a phone's
capital first letter does not matter; a link: `secrets.token_urlsafe(24)`, 192 bits), so
they are stored as an HMAC-SHA256 digest under a key derived from SECRET_KEY
(`app.auth.services.activation_digest`), never in plain text and not with argon2, which
would take hours for 100,000 of them. The secret exists in plain text only in what
`issue_activations` returns.

Issuing sets `users.must_change_password`, as an administrator's reset does: until the
user has chosen a password of their own, every page leads to the page that asks for it
(`app.auth.routes`) and the API answers 403 with the reason `password_change_required`.
Choosing it (`set_own_password`) clears the flag and ends the unused activations.

The audit rows are written by the administration (`app.admin`, a floor above), which
registers its writer here (`register_audit`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any, Literal, cast

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, Table, any_, bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import ActivationKind, LoginSession, User, UserActivation
from app.auth.services import (
    activation_digest,
    activation_key,
    consume_activation,
    hash_password,
    is_current_password,
    revoke_sessions,
    validate_password,
)
from app.errors import DomainError, Invalid
from app.extensions import db
from app.timeutil import utcnow

CHUNK = 5_000  # ids per IN list
PASSWORD_LENGTH = 10
# Letters and digits that cannot be mistaken for one another, read aloud or on paper: no
# 0/o, 1/l/i.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LINK_BYTES = 24
MAX_SECRET_LENGTH = 64  # longer than anything issued: not looked up at all

ISSUED = "user.activation_issued"
PASSWORD_CHANGED = "user.password_change"

# Writes the audit rows of a change to some users: the actor (None: the system), the
# action, the users' ids, and the change, the same for each, as {field: [old, new]}.
AuditWriter = Callable[[User | None, str, Sequence[int], dict[str, Any]], None]
_audit_writer: list[AuditWriter] = []


def register_audit(writer: AuditWriter) -> None:
    """Who writes the audit rows of activations and password changes (`app.admin`)."""
    if _audit_writer and _audit_writer[0] is not writer:
        raise ValueError("an activation audit writer is registered twice")
    _audit_writer[:] = [writer]


def _audit(
    actor: User | None, action: str, user_ids: Sequence[int], changes: dict[str, Any]
) -> None:
    if not _audit_writer:
        raise RuntimeError("no audit writer is registered (app.admin.plugin)")
    _audit_writer[0](actor, action, user_ids, changes)


class ActivationRefused(DomainError):
    """An activation link that does not work: unknown (404), or used, replaced, expired or
    of a deactivated account (410)."""

    status = 410


_PASSWORDS = len(PASSWORD_ALPHABET) ** PASSWORD_LENGTH  # about 2**49.5


def new_initial_password() -> str:
    """10 characters of the alphabet, uniformly: one random number of their range, written
    in that base (one call to the system's random source, not ten)."""
    number, digits = secrets.randbelow(_PASSWORDS), []
    for _position in range(PASSWORD_LENGTH):
        number, digit = divmod(number, len(PASSWORD_ALPHABET))
        digits.append(PASSWORD_ALPHABET[digit])
    return "".join(digits)


def _new_secret(kind: ActivationKind) -> str:
    if kind == ActivationKind.PASSWORD:
        return new_initial_password()
    return secrets.token_urlsafe(LINK_BYTES)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def among(column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids`; on PostgreSQL `column = ANY(:ids)`, one array parameter rather than
    thousands (which the driver and the planner take far longer over)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def _flag_loaded(user_ids: set[int]) -> None:
    """What the UPDATE did, on the users this session has loaded already."""
    identities = db.session.identity_map
    for key in list(identities.keys()):
        # By the identity key, so that no expired user is loaded again to ask its id.
        if key[0] is not User or key[1][0] not in user_ids:
            continue
        obj = identities.get(key)
        if obj is not None and "must_change_password" in vars(obj):
            set_committed_value(obj, "must_change_password", True)


def _end_unused(user_ids: Sequence[int], now: Any) -> None:
    """The users' unused activations stop working (they expire now)."""
    db.session.execute(
        update(UserActivation)
        .where(
            among(UserActivation.user_id, user_ids),
            UserActivation.used_at.is_(None),
            UserActivation.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def end_activations(user: User) -> None:
    """The user's unused activations stop working (a password was set for them)."""
    _end_unused([user.id], utcnow())


def issue_activations(
    actor: User | None, user_ids: Sequence[int], kind: Literal["password", "link"]
) -> dict[int, str]:
    """Issue each user a new initial password or activation link; returns user id → the
    secret in plain text (the only time it exists; `activation_url` makes a link of it).

    In bulk, a few statements per 5,000 users whatever their number: the users' earlier
    unused activations end, they must choose a password at their next login, their open
    sessions and tokens end, and one audit row per user says what was issued (never the
    secret). Ids of no user are left out of the result. In the caller's transaction: does
    not commit.
    """
    parsed = ActivationKind(kind)
    kind_value = parsed.value
    ids = list(dict.fromkeys(int(i) for i in user_ids))
    now = utcnow()
    expires_at = now + timedelta(days=int(current_app.config["ACTIVATION_DAYS"]))
    key = activation_key()
    issued: dict[int, str] = {}
    for chunk in _chunks(ids):
        known = set(db.session.scalars(select(User.id).where(among(User.id, chunk))))
        found = [i for i in chunk if i in known]
        if not found:
            continue
        _end_unused(found, now)
        db.session.execute(
            update(User)
            .where(among(User.id, found))
            .values(must_change_password=True)
            .execution_options(synchronize_session=False)
        )
        _flag_loaded(set(found))
        db.session.execute(
            update(LoginSession)
            .where(among(LoginSession.user_id, found), LoginSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        values = []
        for user_id in found:
            secret = _new_secret(parsed)
            issued[user_id] = secret
            values.append(
                {
                    "user_id": user_id,
                    "kind": parsed,
                    "secret_digest": activation_digest(secret, key),
                    "created_at": now,
                    "expires_at": expires_at,
                    "created_by_id": actor.id if actor is not None else None,
                }
            )
        # Core's executemany on the table: the ORM's bulk path costs more than the insert.
        db.session.execute(insert(cast(Table, UserActivation.__table__)), values)
        _audit(actor, ISSUED, found, {"activation": [None, kind_value]})
    return issued


def activation_url(secret: str) -> str:
    """The external address of the activation link of `secret` (PUBLIC_BASE_URL when set,
    as the ballot links; else this request's host)."""
    configured = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if configured:
        return f"{configured}/activate/{secret}"
    if not has_request_context():
        raise RuntimeError("activation_url needs PUBLIC_BASE_URL outside a request")
    return url_for("auth.activate", secret=secret, _external=True)


def expires_in_days() -> int:
    return int(current_app.config["ACTIVATION_DAYS"])


# -- the link -----------------------------------------------------------------------------


def link_activation(secret: str) -> UserActivation:
    """The working activation of a link, or ActivationRefused (404 unknown, 410 spent)."""
    found = None
    if secret and len(secret) <= MAX_SECRET_LENGTH:
        found = db.session.scalar(
            select(UserActivation).where(
                UserActivation.secret_digest == activation_digest(secret),
                UserActivation.kind == ActivationKind.LINK,
            )
        )
    if found is None:
        raise ActivationRefused(
            _(
                "This activation link is not known. Please check that you opened the whole "
                "link, or ask your administrator for a new one."
            ),
            status=404,
        )
    if found.used_at is not None or found.expires_at <= utcnow() or not found.user.is_active:
        raise ActivationRefused(
            _(
                "This activation link has already been used, has been replaced or has "
                "expired. Please ask your administrator for a new one."
            )
        )
    return found


def activate(secret: str, new_password: str, confirm: str | None = None) -> User:
    """Set the password of a link's user and use the link up. Commits."""
    activation = link_activation(secret)
    user = activation.user
    _check_new_password(user, new_password, confirm)
    if not consume_activation(activation):  # another request used it meanwhile
        db.session.rollback()
        raise ActivationRefused(
            _(
                "This activation link has already been used, has been replaced or has "
                "expired. Please ask your administrator for a new one."
            )
        )
    _set_password(user, new_password, keep_session=None, via="link")
    db.session.commit()
    return user


# -- choosing one's own password ----------------------------------------------------------


def _check_new_password(
    user: User, new_password: str, confirm: str | None, *, old: str = ""
) -> None:
    problems = validate_password(new_password or "", user.username)
    if not problems and (
        new_password == old
        or is_current_password(user, new_password)
        or _was_given(user, new_password)
    ):
        problems = [_("Please choose a password other than the one you were given.")]
    errors: dict[str, list[str]] = {}
    if problems:
        errors["new_password"] = problems
    if confirm is not None and confirm != new_password:
        errors["confirm"] = [_("The two passwords are not the same.")]
    if errors:
        raise Invalid(_("The password does not meet the rules."), errors=errors)


def _was_given(user: User, password: str) -> bool:
    """Whether `password` is an initial password the user was given (used or not)."""
    digest = activation_digest(password.strip().lower())
    return (
        db.session.scalar(
            select(UserActivation.id).where(
                UserActivation.user_id == user.id,
                UserActivation.kind == ActivationKind.PASSWORD,
                UserActivation.secret_digest == digest,
            )
        )
        is not None
    )


def _set_password(user: User, new_password: str, *, keep_session: str | None, via: str) -> int:
    """Store the user's own password; the flag clears, unused activations end, the user's
    other sessions end. Returns how many sessions ended."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    _end_unused([user.id], utcnow())
    ended = revoke_sessions(user.id, keep=keep_session)
    _audit(
        user,
        PASSWORD_CHANGED,
        [user.id],
        {"password": [None, "(set)"], "via": [None, via], "sessions_ended": [None, ended]},
    )
    return ended


def set_own_password(
    user: User,
    new_password: str,
    confirm: str | None = None,
    *,
    old: str = "",
    keep_session: str | None = None,
    via: str = "login",
    activation: UserActivation | None = None,
) -> None:
    """The user chooses their password (under the policy, not the one they were given):
    must_change_password clears, unused activations end (`activation`, the initial
    password just typed, is marked used), and so do the user's sessions but `keep_session`
    (the one in use). Invalid with `errors` by field; ActivationRefused when another
    request used `activation` first. Commits."""
    _check_new_password(user, new_password, confirm, old=old)
    if activation is not None and not consume_activation(activation):
        db.session.rollback()
        raise ActivationRefused(_("This initial password has already been used."))
    _set_password(user, new_password, keep_session=keep_session, via=via)
    db.session.commit()
