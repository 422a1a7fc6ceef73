"""The password policy, checked wherever a password is set (the admin's new user and
password reset, `flask create-user`, the demo's users).

A password needs `MIN_PASSWORD_LENGTH` characters and must not be guessable with a list:
not a common password (19,640 from Django's list, bundled offline, and the Chinese list
beside it), nor one of them with digits or punctuation added at the end ("password-123",
"woaini1314520"), nor the username or one containing it (a username of three characters
or more), nor one character repeated, nor a run of consecutive characters ("23456789").
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 8
DATA = Path(__file__).resolve().parent / "data"
LISTS = ("common-passwords.txt.gz", "common-passwords-zh.txt")
# Digits and punctuation people add to a common password to pass a rule.
_SUFFIX = re.compile(r"[\d\W_]+$")

POLICY = _l(
    "At least 8 characters; not a common password (such as 12345678, password or "
    "woaini1314, also with digits added), not containing the username, not one character "
    "repeated, not a run like abcdefgh."
)


@cache
def common_passwords() -> frozenset[str]:
    """Every listed password, in lower case (read once per process)."""
    words: set[str] = set()
    for name in LISTS:
        path = DATA / name
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as lines:
            words.update(line.strip().lower() for line in lines if line.strip() and line[0] != "#")
    return frozenset(words)


def _is_run(text: str) -> bool:
    """Each character one more, or each one less, than the one before ("98765432")."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})


def password_problems(password: str, username: str | None = None) -> list[str]:
    """What is wrong with `password` for the account `username` (empty: nothing)."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)]
    lowered = password.lower()
    name = (username or "").strip().lower()
    if name and (name == lowered or (len(name) >= 3 and name in lowered)):
        return [_("The password must not be or contain the username.")]
    core = _SUFFIX.sub("", lowered)
    common = common_passwords()
    if lowered in common or (core and core in common):
        return [
            _(
                "This password is one of the most common ones and is easily guessed; "
                "please choose another."
            )
        ]
    if len(set(lowered)) == 1:
        return [_("The password must not be one character repeated.")]
    if _is_run(lowered):
        return [_("The password must not be a run of consecutive characters like abcdefgh.")]
    return []
