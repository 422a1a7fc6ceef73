"""The members' one-time voting links, as the slips, the CSV and the API give them out.

Light on purpose: the PDF drawing (reportlab) is loaded only when a PDF is asked for.
"""

from __future__ import annotations

from flask import current_app, request


def public_base_url() -> str:
    """Where members open their links: PUBLIC_BASE_URL if configured, else this host."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    return str(configured or request.host_url).rstrip("/")


def vote_url(base_url: str, token: str) -> str:
    """The one-time voting link of `token` under the site's root `base_url`."""
    return f"{base_url.rstrip('/')}/e/{token}"
