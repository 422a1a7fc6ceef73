"""Mainland China mobile numbers (手机号): what a user's `mobile` holds, and how it is shown.

A number is 11 digits beginning 1 and then 3–9 (the ranges the operators are assigned). What
people type — `138 0013 8000`, `138-0013-8000`, `+86 13800138000`, `0086…`, full-width
digits from a Chinese input method — is normalised to the 11 digits before it is checked or
stored. Shown to anyone but the user and admins, it is masked: `138****8000`.
"""

from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_mobile(text: str | None) -> str | None:
    """The 11 digits of a mainland mobile number, None for an empty value; ValueError for
    anything else."""
    value = unicodedata.normalize("NFKC", text or "")
    value = _SEPARATORS.sub("", value)
    if not value:
        return None
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    if not MOBILE.fullmatch(value):
        raise ValueError(value)
    return value


def is_mobile(text: str | None) -> bool:
    try:
        return normalise_mobile(text) is not None
    except ValueError:
        return False


def mask_mobile(mobile: str | None) -> str:
    """`138****8000`; '' for none."""
    if not mobile:
        return ""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else "****"
