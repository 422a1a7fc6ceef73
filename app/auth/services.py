"""Users, passwords (argon2), server-side login sessions, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, ScalarSelect, select, update
from sqlalchemy.orm import QueryableAttribute, joinedload

from app.auth import throttle
from app.auth.models import (
    ActivationKind,
    LoginSession,
    Role,
    RoleAssignment,
    SessionKind,
    User,
    UserActivation,
)
from app.auth.passwords import password_problems
from app.auth.policy import may_hold
from app.errors import Invalid
from app.extensions import db
from app.orgs.services import get_org_by_code
from app.timeutil import utcnow
from app.web.templating import label

# argon2id with the library's RFC 9106 low-memory profile (t=3, m=64 MiB, p=4), which is
# above OWASP ASVS 5's minimum; Werkzeug's default scrypt parameters are not.
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# What a user has who has no password yet (an imported account): no password matches it.
UNUSABLE_PASSWORD = "!unset"


def check_password(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False
    except InvalidHashError:
        # No usable password ("!unset"): the same work as a wrong one, so timing does not tell.
        _dummy_verify(password)
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


# A hash to verify against when the username is unknown, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _dummy_verify(password: str) -> None:
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_ACTIVATION_LABEL = b"zhigongzhijia activations v1"


def activation_key() -> bytes:
    """The key activation secrets are digested with: derived from SECRET_KEY (labelled, so
    it is never the raw key the cookies are signed with)."""
    return hmac.digest(str(current_app.config["SECRET_KEY"]).encode(), _ACTIVATION_LABEL, "sha256")


def activation_digest(secret: str, key: bytes | None = None) -> str:
    """What `user_activations` keeps of a secret: its HMAC-SHA256, hex (any text)."""
    message = secret.encode("utf-8", "surrogatepass")
    return hmac.new(key or activation_key(), message, hashlib.sha256).hexdigest()


def password_activation(user: User, password: str) -> UserActivation | None:
    """The user's unused, unexpired initial password `password`, if it is one."""
    if not user.must_change_password or not password or len(password) > 256:
        return None  # issuing an activation sets the flag; choosing a password ends them
    return db.session.scalar(
        select(UserActivation).where(
            # Initial passwords are lower case: a phone's capital first letter still matches.
            UserActivation.secret_digest == activation_digest(password.strip().lower()),
            UserActivation.user_id == user.id,
            UserActivation.kind == ActivationKind.PASSWORD,
            UserActivation.used_at.is_(None),
            UserActivation.expires_at > utcnow(),
        )
    )


def consume_activation(activation: UserActivation) -> bool:
    """Mark an activation used, once: False when another request used it first."""
    result = db.session.execute(
        update(UserActivation)
        .where(
            UserActivation.id == activation.id,
            UserActivation.used_at.is_(None),
            UserActivation.expires_at > utcnow(),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _password_accepted(user: User, password: str, consume: bool) -> bool:
    """The user's password, or an unused initial password of theirs (used up if `consume`)."""
    if check_password(user, password):
        return True
    activation = password_activation(user, password)
    if activation is None:
        return False
    return consume_activation(activation) if consume else True


def authenticate(username: str, password: str, ip: str, *, consume: bool = True) -> User:
    """The user for these credentials, or Invalid (401 on the pages and the API).

    The password is the user's own or an unused initial password
    (`app.auth.activation`), which is then used up unless `consume` is false (the API's
    token, refused to a user who must choose a password first, leaves it for them).
    A user without a usable password and without an initial password cannot log in:
    answered like a wrong password.

    Throttled per account and client, and slowed per account and per client
    (`app.auth.throttle`: TooManyAttempts, 429). Commits.
    """
    username = (username or "").strip()
    keys = throttle.LoginKeys(username, ip)
    throttle.admit(keys)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        # The same work as for a known user, so the answer's timing does not tell.
        _dummy_verify(password or "")
    elif _password_accepted(user, password or "", consume and user.is_active) and user.is_active:
        throttle.succeeded(keys)
        return user
    throttle.failed(keys)
    wrong = _("Wrong username or password.")
    raise Invalid(wrong, errors={"password": [wrong]})


def start_session(user: User, kind: SessionKind) -> tuple[str, datetime]:
    """Create a server-side session; returns the secret token (only its hash is stored)
    and when it expires."""
    token = secrets.token_urlsafe(32)
    key = "API_TOKEN_HOURS" if kind == SessionKind.API else "LOGIN_SESSION_HOURS"
    expires_at = utcnow() + timedelta(hours=current_app.config[key])
    db.session.add(
        LoginSession(
            token_hash=_token_hash(token),
            kind=kind,
            user_id=user.id,
            expires_at=expires_at,
        )
    )
    db.session.commit()
    user.login_session_token = token
    return token, expires_at


# Figures a page shows of its user (the header's unread count), loaded in the login
# session's own statement rather than one query each: attribute name → a function of the
# user id column giving a scalar subquery. Registered by the packages that own them.
UserIdColumn = ColumnElement[int] | QueryableAttribute[int]
UserFigure = Callable[[UserIdColumn], ScalarSelect[Any]]
_USER_FIGURES: dict[str, UserFigure] = {}


def register_user_figure(name: str, figure: UserFigure) -> None:
    """Load `figure` with every login session, as `user.<name>` (0 when NULL)."""
    known = _USER_FIGURES.get(name)
    if known is not None and known is not figure:
        raise ValueError(f"user figure {name} is registered twice")
    _USER_FIGURES[name] = figure


def user_for_token(token: str, kind: SessionKind) -> User | None:
    """The user of a live (unexpired, unrevoked) session token, else None."""
    if not token:
        return None
    figures = list(_USER_FIGURES.items())
    # The user and their roles come in the same statement (a user holds a role or two).
    row = (
        db.session.execute(
            select(LoginSession, *[figure(LoginSession.user_id) for _name, figure in figures])
            .options(joinedload(LoginSession.user).joinedload(User.roles))
            .where(
                LoginSession.token_hash == _token_hash(token),
                LoginSession.kind == kind,
                LoginSession.revoked_at.is_(None),
                LoginSession.expires_at > utcnow(),
            )
        )
        .unique()
        .first()
    )
    if row is None or not row[0].user.is_active:
        return None
    session, *values = row
    user = session.user
    user.login_session_token = token
    for (name, _figure), value in zip(figures, values, strict=True):
        setattr(user, name, value or 0)
    return user


def is_current_password(user: User, password: str) -> bool:
    """Whether `password` is the user's present password (none matches an unusable one)."""
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def revoke_sessions(user_id: int, *, keep: str | None = None) -> int:
    """End the user's live sessions and tokens, but the one of token `keep`; how many."""
    stmt = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if keep:
        stmt = stmt.where(LoginSession.token_hash != _token_hash(keep))
    result = db.session.execute(
        stmt.values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def end_session(token: str) -> None:
    """Revoke a session on the server: its cookie or bearer token stops working everywhere."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # a plausible address; the mail server judges


def validate_password(password: str, username: str | None = None) -> list[str]:
    """What is wrong with a new password for `username` (`app.auth.passwords`)."""
    return password_problems(password, username)


def ensure_user(
    *,
    username: str,
    password: str,
    role: Role | str,
    org_code: str,
    display_name: str | None = None,
    email: str | None = None,
) -> tuple[User, bool]:
    """Create the user if missing and grant the role at the organisation. Idempotent.

    Returns (user, created). An existing user's password is reset to `password`.
    """
    errors: dict[str, list[str]] = {}
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [
            _("The role must be one of %(roles)s.", roles=", ".join(r.value for r in Role))
        ]
    if not (username or "").strip():
        errors["username"] = [_("Please fill in the username.")]
    if problems := validate_password(password, username):
        errors["password"] = problems
    if email and not re.match(EMAIL_PATTERN, email.strip()):
        errors["email"] = [_("Please enter a valid e-mail address.")]
    if errors:
        raise Invalid(_("The user's details are not right."), errors=errors)
    org = get_org_by_code(org_code)
    if not may_hold(Role(role), org):
        raise Invalid(
            _("The role does not fit the organisation's level."),
            errors={
                "org": [_("This role cannot be held at a %(level)s.", level=label(org.level_label))]
            },
        )

    user = db.session.scalar(select(User).where(User.username == username))
    created = user is None
    if user is None:
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password),
        )
        db.session.add(user)
        db.session.flush()
    else:
        if not check_password(user, password):
            user.password_hash = hash_password(password)
        if display_name:
            user.display_name = display_name
    if email:
        user.email = email.strip()
    if not any(a.role == role and a.org_id == org.id for a in user.roles):
        user.roles.append(RoleAssignment(role=Role(role), org_id=org.id))
    db.session.commit()
    return user, created
