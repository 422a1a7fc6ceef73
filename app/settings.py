"""Configuration read from the environment, in one place.

Typed helpers parse each variable once; `create_app(test_config)` overrides any key.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except ValueError as exc:  # a typo in deployment config must fail loudly at start
        raise RuntimeError(
            f"environment variable {name} must be an integer, got {value!r}"
        ) from exc


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_database_url() -> str:
    """The embedded default: a SQLite file under instance/."""
    path = BASE_DIR / "instance" / "zhigongzhijia.sqlite"
    return f"sqlite:///{path}"


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load() -> dict[str, object]:
    """Settings for `create_app`, from the environment."""
    evidence_max_file_mb = env_int("EVIDENCE_MAX_FILE_MB", 20)
    return {
        "SECRET_KEY": env_str("SECRET_KEY", "dev-only-change-me"),
        # The key members' voting tokens are derived from (app/evaluation/credentials.py);
        # empty: one derived from SECRET_KEY. Keep it stable: slips issued under another key
        # cannot be reprinted (they still vote).
        "TOKEN_KEY": env_str("TOKEN_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env_str("DATABASE_URL", default_database_url())
        ),
        # SQLite (the embedded default) lets one transaction write at a time: how long another
        # waits for it before giving up. Above the longest write (an evidence upload checks
        # and re-encodes its file in its request), below gunicorn's 30 s worker timeout.
        "SQLITE_BUSY_TIMEOUT_SECONDS": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
        "REDIS_URL": env_str("REDIS_URL", ""),
        # Where spreadsheet imports run: rq (with REDIS_URL), thread (in the web process, the
        # single-host default without Redis) or inline (in the request); empty: chosen.
        "IMPORT_RUNNER": env_str("IMPORT_RUNNER", ""),
        # The address members' voting links and QR codes point at (e.g. https://zgzj.example.cn);
        # empty: the address of the request that printed them.
        "PUBLIC_BASE_URL": env_str("PUBLIC_BASE_URL", ""),
        "BABEL_DEFAULT_LOCALE": env_str("DEFAULT_LOCALE", "zh_Hans_CN"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", False),
        "LOGIN_SESSION_HOURS": env_int("LOGIN_SESSION_HOURS", 12),
        "API_TOKEN_HOURS": env_int("API_TOKEN_HOURS", 24),
        # How long an initial password or an activation link works (app/auth/activation.py).
        "ACTIVATION_DAYS": env_int("ACTIVATION_DAYS", 30),
        # Login throttling (app/auth/throttle.py, docs/security.md), counted in the window:
        # one client's failures on one account before it is refused that account until the
        # window ends; an account's failures (from any client) and a client's (on any
        # account) from which each attempt waits, doubling from 0.25 s up to
        # LOGIN_DELAY_MAX_SECONDS; a client's failures from which it is refused accounts it
        # has not logged in to within LOGIN_KNOWN_CLIENT_DAYS (0: never refused).
        "LOGIN_FAILURE_WINDOW_MINUTES": env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15),
        "LOGIN_MAX_FAILURES": env_int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_ACCOUNT_SLOW_AFTER": env_int("LOGIN_ACCOUNT_SLOW_AFTER", 10),
        "LOGIN_CLIENT_SLOW_AFTER": env_int("LOGIN_CLIENT_SLOW_AFTER", 20),
        "LOGIN_CLIENT_MAX_FAILURES": env_int("LOGIN_CLIENT_MAX_FAILURES", 100),
        "LOGIN_DELAY_MAX_SECONDS": env_int("LOGIN_DELAY_MAX_SECONDS", 5),
        "LOGIN_KNOWN_CLIENT_DAYS": env_int("LOGIN_KNOWN_CLIENT_DAYS", 30),
        # Single sign-on with OpenID Connect (app/auth/sso.py, docs/auth.md): on when an
        # issuer is set. Identities map to users by username (the claim named) or by the
        # verified mobile number; PASSWORD_LOGIN=false leaves single sign-on the only way in.
        "OIDC_ISSUER": env_str("OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": env_str("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env_str("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": env_str("OIDC_SCOPES", "openid profile phone"),
        "OIDC_MATCH": env_str("OIDC_MATCH", "username"),
        "OIDC_USERNAME_CLAIM": env_str("OIDC_USERNAME_CLAIM", "preferred_username"),
        "OIDC_PROVIDER_NAME": env_str("OIDC_PROVIDER_NAME", ""),
        "PASSWORD_LOGIN": env_bool("PASSWORD_LOGIN", True),
        # The public certificate check: look-ups one client may make a minute (then 429).
        "CERTIFICATE_CHECKS_PER_MINUTE": env_int("CERTIFICATE_CHECKS_PER_MINUTE", 30),
        "PAGE_SIZE": env_int("PAGE_SIZE", 50),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host
        # (0: none; the client address is the connection's). Login throttling, the objection
        # rate limit and the certificate check's key on the client address.
        "TRUSTED_PROXIES": env_int("TRUSTED_PROXIES", 0),
        # Security headers (app/web/headers.py): the Content-Security-Policy only reported,
        # not enforced, and where browsers send the reports; HSTS (sent with secure cookies).
        "CSP_REPORT_ONLY": env_bool("CSP_REPORT_ONLY", False),
        "CSP_REPORT_URI": env_str("CSP_REPORT_URI", ""),
        "HSTS_MAX_AGE": env_int("HSTS_MAX_AGE", 365 * 24 * 3600),
        "HSTS_INCLUDE_SUBDOMAINS": env_bool("HSTS_INCLUDE_SUBDOMAINS", False),
        # Reminders: how many days before a due date they start, and after how many days
        # overdue a step escalates to the supervising organisation.
        "REMINDER_DAYS_BEFORE": env_int("REMINDER_DAYS_BEFORE", 3),
        "ESCALATE_AFTER_DAYS_OVERDUE": env_int("ESCALATE_AFTER_DAYS_OVERDUE", 3),
        # E-mail over SMTP; without MAIL_SERVER nothing is sent and the admin's outbox page
        # shows what would have been (development).
        "MAIL_SERVER": env_str("MAIL_SERVER", ""),
        "MAIL_PORT": env_int("MAIL_PORT", 25),
        "MAIL_STARTTLS": env_bool("MAIL_STARTTLS", False),
        "MAIL_USERNAME": env_str("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env_str("MAIL_PASSWORD", ""),
        "MAIL_FROM": env_str("MAIL_FROM", "noreply@localhost"),
        "MAIL_MAX_ATTEMPTS": env_int("MAIL_MAX_ATTEMPTS", 5),
        # Who is told how, unless they chose otherwise (app/notifications/delivery.py).
        "NOTIFY_EVENTS_EMAIL": env_bool("NOTIFY_EVENTS_EMAIL", True),
        "NOTIFY_EVENTS_SMS": env_bool("NOTIFY_EVENTS_SMS", True),
        "NOTIFY_REMINDERS_EMAIL": env_bool("NOTIFY_REMINDERS_EMAIL", True),
        "NOTIFY_REMINDERS_SMS": env_bool("NOTIFY_REMINDERS_SMS", False),
        # No SMS or robot message in these Beijing hours: held to their end ("": none).
        "QUIET_HOURS": env_str("QUIET_HOURS", "22:00-08:00"),
        # At most so many SMS, and messages per group robot, a minute (providers throttle).
        "SMS_PER_MINUTE": env_int("SMS_PER_MINUTE", 60),
        "ROBOT_PER_MINUTE": env_int("ROBOT_PER_MINUTE", 20),
        "MESSAGE_MAX_ATTEMPTS": env_int("MESSAGE_MAX_ATTEMPTS", 5),
        # Outside channels (app/notifications/channels, docs/notifications.md#channels): the SMS
        # provider, `aliyun` or `http` (a gateway described below); empty: no SMS. Secrets
        # (the AccessKey secret, the gateway's headers) come only from the environment.
        "SMS_PROVIDER": env_str("SMS_PROVIDER", ""),
        "ALIYUN_SMS_ACCESS_KEY_ID": env_str("ALIYUN_SMS_ACCESS_KEY_ID", ""),
        "ALIYUN_SMS_ACCESS_KEY_SECRET": env_str("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
        "ALIYUN_SMS_SIGN_NAME": env_str("ALIYUN_SMS_SIGN_NAME", ""),
        "ALIYUN_SMS_TEMPLATE_CODE": env_str("ALIYUN_SMS_TEMPLATE_CODE", ""),
        "ALIYUN_SMS_TEMPLATE_PARAM": env_str("ALIYUN_SMS_TEMPLATE_PARAM", "content"),
        "ALIYUN_SMS_ENDPOINT": env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
        # A generic HTTP gateway: the body a template with {mobile}, {text} and {sign}; the
        # headers a JSON object; success `field=value` of the JSON answer (empty: any 2xx).
        "SMS_HTTP_URL": env_str("SMS_HTTP_URL", ""),
        "SMS_HTTP_METHOD": env_str("SMS_HTTP_METHOD", "POST"),
        "SMS_HTTP_HEADERS": env_str("SMS_HTTP_HEADERS", ""),
        "SMS_HTTP_BODY": env_str("SMS_HTTP_BODY", ""),
        "SMS_HTTP_CONTENT_TYPE": env_str("SMS_HTTP_CONTENT_TYPE", ""),
        "SMS_HTTP_SUCCESS": env_str("SMS_HTTP_SUCCESS", ""),
        "SMS_HTTP_SIGN": env_str("SMS_HTTP_SIGN", ""),
        # 公示: objections one address may lodge per 24 hours.
        "OBJECTIONS_PER_ADDRESS_PER_DAY": env_int("OBJECTIONS_PER_ADDRESS_PER_DAY", 5),
        # Evidence files (佐证材料): stored outside the web root, limits in MB (MiB).
        "EVIDENCE_STORAGE_DIR": env_str(
            "EVIDENCE_STORAGE_DIR", str(BASE_DIR / "instance" / "evidence")
        ),
        "EVIDENCE_MAX_FILE_MB": evidence_max_file_mb,
        "EVIDENCE_MAX_NOMINATION_MB": env_int("EVIDENCE_MAX_NOMINATION_MB", 200),
        # What an Office document may unpack to (as its directory declares; a PDF's object
        # streams, inflated to be checked), its compression ratio and its number of parts.
        "EVIDENCE_MAX_UNPACKED_MB": env_int("EVIDENCE_MAX_UNPACKED_MB", 100),
        "EVIDENCE_MAX_COMPRESSION_RATIO": env_int("EVIDENCE_MAX_COMPRESSION_RATIO", 100),
        "EVIDENCE_MAX_PACKAGE_PARTS": env_int("EVIDENCE_MAX_PACKAGE_PARTS", 10_000),
        # Whole requests: one file plus the form around it; larger ones get 413.
        "MAX_CONTENT_LENGTH": (evidence_max_file_mb + 1) * 1024 * 1024,
        # flask-smorest
        "API_TITLE": "职工之家评选 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
