"""Security headers on every response: no framing, no sniffing, a strict CSP, and a careful referrer policy.

HTML pages (the caseworker web app, /docs) get `CONTENT_SECURITY_POLICY`: scripts, styles and
everything else only from this origin, no inline script, no plugins, no framing. Every other response
(JSON, YAML, NDJSON, CSV) gets `default-src 'none'`: an API answer opened in a browser runs nothing.
A view that sets a header itself keeps its own value. CORS stays an allow-list (`CORS_ORIGINS`,
set up in `api/__init__.py`): with none configured no CORS header is ever sent.
"""

from __future__ import annotations

from flask import Flask, current_app, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Same-origin pages still send it (CSRF checks compare it); no other site learns our URLs.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=63072000; includeSubDomains"


def add_security_headers(response):
    """after_request: the headers above, the CSP for the kind of response, and HSTS over HTTPS."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    html = response.mimetype == "text/html"
    policy = current_app.config["CONTENT_SECURITY_POLICY"] if html else API_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Register the after-request hook."""
    app.after_request(add_security_headers)
