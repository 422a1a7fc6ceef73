"""Security headers on every response — pages, public pages, the JSON API, files — with
flask-talisman: a Content-Security-Policy without inline script, no framing, a referrer
policy, a permissions policy, nosniff, and HSTS when the session cookie is HTTPS-only.

Two things differ from Talisman's own behaviour, both on purpose:

- A header a response set itself is kept (Talisman overwrites it): the evidence downloads
  keep `default-src 'none'; sandbox` (`app/evidence/download.py`), the members' ballot pages
  keep `Referrer-Policy: no-referrer` (`app/evaluation/public.py`).
- A page may allow a browser feature for its own document (`allow_features`): the spot
  check's page lets the inspectors take photos; every other page allows none.

Talisman keeps its settings on the instance, not per app, so each app gets its own instance
(`app.extensions["talisman"]`): one shared instance would take the settings of the last app
built (the tests build several).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g
from flask_talisman import Talisman

# No inline script anywhere (tests/test_headers.py scans the templates): scripts are files
# under app/static/js, their data in data-* attributes or <script type="application/json">.
# Styles: <style> elements are refused too (style-src-elem), but style="" attributes are
# allowed, because bars, swatches and indents take their width or colour from the data; a
# style attribute cannot run script, and img-src keeps it from sending anything away.
# Browsers without style-src-elem fall back to style-src and allow both.
CONTENT_SECURITY_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "style-src-elem": "'self'",
    # Bootstrap's icons (select arrows, close buttons, the menu toggler) are data: SVGs.
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Nothing here uses a device or a sensor; `allow_features` opens one for a page's own document.
PERMISSIONS_POLICY: dict[str, str] = {
    feature: "()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

REFERRER_POLICY = "strict-origin-when-cross-origin"

# The headers Talisman writes that a response may have set for itself, and then keeps.
OWN_HEADERS = (
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
)

_ALLOWED = "_permissions_policy_allows"


def allow_features(*features: str) -> None:
    """Let the document of this request's response use `features` (its own origin only;
    frames of other sites still may not). Called by the view that renders the page."""
    unknown = [name for name in features if name not in PERMISSIONS_POLICY]
    if unknown:
        raise ValueError(f"not in the permissions policy: {', '.join(unknown)}")
    g.setdefault(_ALLOWED, set()).update(features)


class SecurityHeaders(Talisman):
    """Talisman, keeping the headers a response set itself and a page's allowed features."""

    def _get_local_options(self) -> dict[str, Any]:
        options: dict[str, Any] = super()._get_local_options()
        allowed = g.get(_ALLOWED)
        if allowed:
            policy = dict(options["permissions_policy"])
            policy.update({feature: "(self)" for feature in sorted(allowed)})
            options = {**options, "permissions_policy": policy}
        return options

    def _set_response_headers(self, response: Response) -> Response:
        own = {name: response.headers[name] for name in OWN_HEADERS if name in response.headers}
        response = super()._set_response_headers(response)
        for name, value in own.items():
            response.headers[name] = value
        return response


def init_app(app: Flask) -> None:
    config = app.config
    report_uri = config["CSP_REPORT_URI"] or None
    if config["CSP_REPORT_ONLY"] and report_uri is None:
        raise RuntimeError("CSP_REPORT_ONLY=true needs CSP_REPORT_URI: where browsers report")
    app.extensions["talisman"] = SecurityHeaders(
        app,
        # TLS ends at the deployment's own proxy (TRUSTED_PROXIES); redirecting is its job.
        force_https=False,
        frame_options="DENY",
        # Only where the login cookie is HTTPS-only, and only on HTTPS answers (a browser
        # ignores it over HTTP anyway).
        strict_transport_security=bool(config["SESSION_COOKIE_SECURE"]),
        strict_transport_security_max_age=config["HSTS_MAX_AGE"],
        strict_transport_security_include_subdomains=config["HSTS_INCLUDE_SUBDOMAINS"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_report_uri=report_uri,
        content_security_policy_report_only=config["CSP_REPORT_ONLY"],
        permissions_policy=PERMISSIONS_POLICY,
        referrer_policy=REFERRER_POLICY,
        # The cookie settings stay what the settings say: Talisman would force them.
        session_cookie_secure=False,
        session_cookie_http_only=config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=config["SESSION_COOKIE_SAMESITE"],
        x_content_type_options=True,
    )
