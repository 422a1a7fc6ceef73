"""Addresses a form may ask to return to."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(value: str | None) -> str | None:
    """A same-site path to return to, or None (absolute URLs, //host, \\ tricks refused)."""
    if not value or len(value) > 2000:
        return None
    if any(ord(c) < 32 or c in "\\\x7f" for c in value):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
