"""HTTP hardening of the dashboard server: response headers and request guards.

    install_security_headers(app.server, app)   # CSP (with Dash's inline-script hashes) & co.
    install_request_guards(app.server)          # body size limit (413), JSON check (400)

Both are idempotent (a second call on the same server does nothing) and take the Flask server,
so they work for `create_app()`, for `dashboard.app:server` under gunicorn, and in tests.

The Content-Security-Policy allows scripts from this server only, plus the inline scripts Dash
writes into the index page, by hash: the renderer start-up (`var renderer = new DashRenderer();`)
and the clientside-callback definitions. The hashes come from Dash's documented `csp_hashes()`.
The renderer config (`<script id="_dash-config" type="application/json">`) is data, not script,
and needs no hash. No 'unsafe-eval' and no 'unsafe-inline' for scripts: plotly.js 4 and the Dash
bundles run without them (tests/dashboard/test_security.py checks this in headless Chromium). Styles need
'unsafe-inline' (plotly.js and React set inline styles and plotly injects <style> elements).
"""

from __future__ import annotations

from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

CALLBACK_PATH = "/_dash-update-component"
# The largest request the page legitimately sends is a scenario upload: dcc.Upload caps files at
# 200 kB, i.e. ~270 kB of base64 plus the view state. 1 MiB leaves room for that and no more.
MAX_REQUEST_BYTES = 1024 * 1024
# a refused body up to this size is read and dropped (keeps the connection); larger ones are not
DISCARD_LIMIT_BYTES = 16 * MAX_REQUEST_BYTES
_EXTENSION = "alliance_atlas_security"

# every response, whatever its type
STATIC_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # the page's address goes with its own requests only (the layout request needs it)
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


# the policy of an answer that is plain text (an error): it loads, runs and frames nothing
PLAIN_CSP = "default-src 'none'; frame-ancestors 'none'"


def plain_response_headers() -> dict[str, str]:
    """The security headers of a plain-text answer written outside the app (gunicorn's own
    errors, see dashboard.production.install_error_writer)."""
    return {**STATIC_HEADERS, "Content-Security-Policy": PLAIN_CSP}


def content_security_policy(script_hashes: list[str] | tuple[str, ...] = ()) -> str:
    """The policy for the dashboard: everything from this server, nothing framed, no eval."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def dash_app_of(server: Flask) -> Any:
    """The Dash app serving on `server` (Dash binds its routes to the app's own methods)."""
    for view in server.view_functions.values():
        owner = getattr(view, "__self__", None)
        if isinstance(owner, Dash):
            return owner
    return None


def _state(server: Flask) -> dict[str, Any]:
    return server.extensions.setdefault(_EXTENSION, {})


def install_security_headers(server: Flask, dash_app: Any = None) -> None:
    """Add the security headers to every response of `server`.

    `dash_app` is the Dash app on that server (found from the server's routes when omitted);
    its `csp_hashes()` are read on the first response, after every callback is registered.
    """
    state = _state(server)
    if state.get("headers"):
        return
    state["headers"] = True
    cache: dict[str, str] = {}

    def policy() -> str:
        if "csp" not in cache:
            app = dash_app if dash_app is not None else dash_app_of(server)
            hashes = list(app.csp_hashes()) if app is not None else []
            cache["csp"] = content_security_policy(hashes)
        return cache["csp"]

    @server.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = policy()
        return response


def install_request_guards(server: Flask, max_bytes: int = MAX_REQUEST_BYTES) -> None:
    """Reject, before Dash sees them, the callback requests the page never sends.

    - a body over `max_bytes` (MAX_CONTENT_LENGTH): 413;
    - a callback request whose body is not JSON (415) or not an object with Dash's fields
      that fit a registered callback: 400;
    - a component-suite path Dash does not serve (e.g. `..%2f..%2fetc%2fpasswd`): 404, not
      Dash's DependencyException (a 500).

    Both answers are one line of plain text. Dash's own dispatch would otherwise fail on such
    bodies with an exception (a 500, and a traceback in the server log for every request).
    """
    state = _state(server)
    if state.get("guards"):
        return
    state["guards"] = True
    server.config["MAX_CONTENT_LENGTH"] = max_bytes

    @server.errorhandler(RequestEntityTooLarge)
    def _too_large(_error: Exception) -> Response:
        _discard_body()
        return _plain(f"Request too large (limit {max_bytes} bytes).", 413)

    @server.errorhandler(DependencyException)
    def _no_such_file(_error: Exception) -> Response:
        # Dash raises this (a 500) for a /_dash-component-suites/ path it does not serve,
        # e.g. ../../etc/passwd: it is a missing file, and its message lists Dash's files
        return _plain("Not found.", 404)

    @server.before_request
    def _check_callback_request() -> Response | None:
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        length = request.content_length
        if length is not None and length > max_bytes:
            _discard_body()
            return _plain(f"Request too large (limit {max_bytes} bytes).", 413)
        if not request.is_json:
            return _plain("Bad callback request: the body must be JSON.", 415)
        try:
            # parsed once: Flask caches it for Dash's own get_json(); over the limit: 413
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
        if body is None:
            return _plain("Bad callback request: the body is not valid JSON.", 400)
        problem = callback_body_problem(body, dash_app_of(server))
        if problem:
            return _plain(f"Bad callback request: {problem}.", 400)
        return None


def _discard_body(limit: int = DISCARD_LIMIT_BYTES) -> None:
    """Read and drop a refused request's body (up to `limit`), so that the connection can carry
    the client's next request: a threaded gunicorn worker keeps it open, and an unread body
    would otherwise make it drop the connection after answering."""
    stream = request.environ.get("wsgi.input")
    remaining = min(request.content_length or 0, limit)
    while stream is not None and remaining > 0:
        chunk = stream.read(min(64 * 1024, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def callback_body_problem(body: Any, dash_app: Any = None) -> str | None:
    """Why `body` is not a callback request Dash can dispatch (None when it looks like one)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or not output:
        return "'output' must be a non-empty string"
    spec = None
    if dash_app is not None:
        spec = dash_app.callback_map.get(output)
        if spec is None or "callback" not in spec:  # unknown, or a clientside callback
            return "no such callback"
    if not isinstance(body.get("outputs"), dict | list):
        return "'outputs' must be an object or a list"
    for key in ("inputs", "changedPropIds"):
        if not isinstance(body.get(key), list):
            return f"{key!r} must be a list"
    if not isinstance(body.get("state", []), list):
        return "'state' must be a list"
    if not all(isinstance(item, str) for item in body["changedPropIds"]):
        return "'changedPropIds' must be a list of strings"
    for key in ("inputs", "state"):
        sent = body.get(key, [])
        if spec is not None:
            wanted = spec.get(key, [])
            if len(sent) != len(wanted):
                return f"{key!r} must have {len(wanted)} items"
            for item, dependency in zip(sent, wanted, strict=True):
                if isinstance(item, list) != _is_wildcard(dependency.get("id")):
                    return f"{key!r} do not match the callback"
        for item in sent:
            for entry in item if isinstance(item, list) else [item]:
                if not isinstance(entry, dict) or "id" not in entry or "property" not in entry:
                    return f"every item of {key!r} must be an object with 'id' and 'property'"
    return None


def _is_wildcard(component_id: Any) -> bool:
    """Whether a dependency id is an ALL/ALLSMALLER pattern (its value is sent as a list)."""
    return (
        isinstance(component_id, str)
        and component_id.startswith("{")
        and ('["ALL"]' in component_id or '["ALLSMALLER"]' in component_id)
    )


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")
