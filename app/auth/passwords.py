"""The password policy, checked wherever a password is set (the admin's new user and
password reset, `flask create-user`, the demo's users).

A password needs `MIN_PASSWORD_LENGTH` characters and must not be guessable with a list:
not a common password (19,640 from Django's list, bundled offline, and the Chinese list
beside it), nor one of them with digits or punctuation added at the end ("password-123",
"woaini1314520"), nor the username or one containing it (a username of three characters
or more), nor one character or a short pattern repeated ("qqqqqqqq", "abcabcabc"), nor a
run of consecutive characters ("23456789"), nor a date ("19900101", a birthday).
"""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 8
DATA = Path(__file__).resolve().parent / "data"
LISTS = ("common-passwords.txt.gz", "common-passwords-zh.txt")
# Digits and punctuation people add to a common password to pass a rule.
_SUFFIX = re.compile(r"[\d\W_]+$")
# What is left once they are taken off must be this long to be looked up: the list holds
# single letters and short words ("a", "abc"), and "m4729183650" is no common password.
MIN_CORE = 4
# Eight digits read as a date, years 1900-2099: YYYYMMDD, MMDDYYYY, DDMMYYYY.
_DATE_FORMATS = ("%Y%m%d", "%m%d%Y", "%d%m%Y")

POLICY = _l(
    "At least 8 characters; not a common password (such as 12345678, password or "
    "woaini1314, also with digits added), not containing the username, not one character "
    "or a short pattern repeated, not a run like abcdefgh, not a date like 19900101."
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


def _is_repeated(text: str) -> bool:
    """A unit of two to four characters repeated: "abcabcabc", "12121212", "20242024"."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(2, 5)
    )


def _is_date(text: str) -> bool:
    if len(text) != 8 or not text.isdigit():
        return False
    for layout in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, layout)
        except ValueError:
            continue
        if 1900 <= day.year <= 2099:
            return True
    return False


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
    if lowered in common or (len(core) >= MIN_CORE and core in common):
        return [
            _(
                "This password is one of the most common ones and is easily guessed; "
                "please choose another."
            )
        ]
    if len(set(lowered)) == 1:
        return [_("The password must not be one character repeated.")]
    if _is_repeated(lowered):
        return [_("The password must not be a short pattern repeated, like abcabcabc.")]
    if _is_run(lowered):
        return [_("The password must not be a run of consecutive characters like abcdefgh.")]
    if _is_date(lowered):
        return [_("The password must not be a date such as a birthday (like 19900101).")]
    return []
