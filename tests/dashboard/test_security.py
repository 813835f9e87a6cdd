"""HTTP hardening: security headers and CSP (also in headless Chromium), request guards, no debugger
or traceback, safe scenario upload, and no file written on the server by any web request.

The app is built with create_app() and the security hooks are installed here too (they are
idempotent), so these tests hold whether or not create_app already installs them.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from browser import browser_available, headless_dash, wait_for
from dash._utils import to_json
from locations import REPO
from serving import page_model

from dashboard import cli
from dashboard.app import create_app
from dashboard.callbacks import dash_value
from dashboard.local_server import free_port, local_server, serve_command
from dashboard.security import (
    CALLBACK_PATH,
    MAX_REQUEST_BYTES,
    STATIC_HEADERS,
    content_security_policy,
    install_request_guards,
    install_security_headers,
)
from geodata.scenario import SCENARIO_LIMITS, Scenario

TRACEBACK_MARKERS = ("Traceback (most recent call last)", "__debugger__", 'File "/')


def secured(app):
    install_security_headers(app.server, app)
    install_request_guards(app.server)
    return app


@pytest.fixture(scope="module")
def page(client):
    """A simulated browser (scripts/loadtest.py) that has loaded the page."""
    return page_model(lambda path: client.get(path).get_json())


def _browser(page, client, search: str = ""):
    """A fresh simulated page that has run its URL callback (so `view` holds a view)."""
    loadtest, model = page
    browser = loadtest.Browser(model, __import__("random").Random(1))
    browser.reset(search)
    body = browser.payload(model.by_name("sync"), [("url-request", "data")])
    response = client.post(CALLBACK_PATH, json=body)
    assert response.status_code == 200
    browser.apply(response.get_json())
    return browser


def _clean(text: str) -> bool:
    return not any(marker in text for marker in TRACEBACK_MARKERS)


# --- headers --------------------------------------------------------------------------------


def _responses(client, page):
    """One response of every kind the server gives."""
    index = client.get("/")
    script = re.search(r'<script src="([^"]+)"', index.get_data(as_text=True))[1]
    browser = _browser(page, client)
    model = page[1]
    no_change = browser.payload(model.by_name("sync"), [("layers", "value")])
    body = browser.payload(model.by_name("sync"), [browser.set("layers", "value", ["threats"])])
    return {
        "index": index,
        "index with query": client.get("/?scenario=threats_360&lang=en"),
        "unknown path": client.get("/no/such/page"),
        "layout": client.get("/_dash-layout"),
        "dependencies": client.get("/_dash-dependencies"),
        "component suite": client.get(script),
        "asset": client.get("/assets/topojson/world_110m.json"),
        "favicon": client.get("/_favicon.ico"),
        "callback": client.post(CALLBACK_PATH, json=body),
        "callback 204": client.post(CALLBACK_PATH, json=no_change),
        "bad json 400": client.post(CALLBACK_PATH, data=b"{", content_type="application/json"),
        "too large 413": client.post(
            CALLBACK_PATH, data=b"x" * (MAX_REQUEST_BYTES + 1), content_type="application/json"
        ),
        "wrong type 415": client.post(CALLBACK_PATH, data=b"{}", content_type="text/plain"),
    }


def test_every_response_carries_the_security_headers(client, page):
    for name, response in _responses(client, page).items():
        assert response.status_code < 500, name
        for header, value in STATIC_HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, name
    statuses = {name: r.status_code for name, r in _responses(client, page).items()}
    assert statuses["bad json 400"] == 400
    assert statuses["too large 413"] == 413
    assert statuses["wrong type 415"] == 415
    assert statuses["callback"] == 200
    assert statuses["callback 204"] == 204


def _directives(csp: str) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part
    }


def test_csp_allows_exactly_the_inline_scripts_dash_writes(app, client):
    response = client.get("/")
    directives = _directives(response.headers["Content-Security-Policy"])
    scripts = directives["script-src"]
    assert scripts[0] == "'self'"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in " ".join(v for values in directives.values() for v in values)
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, flags=re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert any("DashRenderer" in body for body in executable)
    # the clientside callbacks are a file of this server (assets/atlas.js), not inline code
    assert not any("dash_clientside" in body for body in executable)
    assert re.search(r'<script src="/assets/atlas\.js\?m=[0-9.]+">', html)
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts
    assert set(app.csp_hashes()) <= set(scripts)
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["font-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_the_policy_is_built_from_the_given_hashes():
    policy = content_security_policy(["'sha256-abc='"])
    assert "script-src 'self' 'sha256-abc='" in policy


def test_installing_twice_adds_nothing(atlas, presets):
    app = create_app(atlas=atlas, presets=presets)
    server = app.server
    before = (
        len(server.after_request_funcs.get(None, [])),
        len(server.before_request_funcs.get(None, [])),
    )
    for _ in range(2):
        secured(app)
    after = (
        len(server.after_request_funcs.get(None, [])),
        len(server.before_request_funcs.get(None, [])),
    )
    assert after[0] - before[0] <= 1 and after[1] - before[1] <= 1
    response = server.test_client().get("/")
    assert response.headers.get_all("Content-Security-Policy") == [
        response.headers["Content-Security-Policy"]
    ]


# --- debug off, no tracebacks ---------------------------------------------------------------


def test_debug_is_off_by_default(app):
    assert app.server.debug is False
    assert cli.build_parser().parse_args(["serve"]).debug is False


def test_a_callback_that_raises_shows_no_traceback(client, page):
    """render() raises on a view store that is not a view: a notice, nothing of the error."""
    model = page[1]
    browser = _browser(page, client)
    body = browser.payload(model.by_name("render"), [("map-view", "data")])
    body["inputs"][0]["value"] = {"scenario": {"layers": 7, "id": "../x"}}
    response = client.post(CALLBACK_PATH, json=body)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "notice-error" in text
    assert _clean(text)
    for probe in (
        "/?__debugger__=yes&cmd=resource&f=debugger.js",
        "/console",
        "/_dash-update-component?__debugger__=yes&cmd=printpasteitem",
    ):
        response = client.get(probe)
        assert _clean(response.get_data(as_text=True)), probe
        assert "Werkzeug Debugger" not in response.get_data(as_text=True)


@pytest.mark.server
def test_the_default_serve_command_exposes_no_debugger(tmp_path):
    """`alliance-atlas serve` as a user starts it (no flags): no debugger, no traceback."""
    port = free_port()
    log = tmp_path / "serve.log"
    with local_server(
        serve_command(port),
        port=port,
        log=log,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stop_signal=signal.SIGINT,
        stop_timeout=15,
    ) as server:
        base = server.url.rstrip("/")
        bad = httpx.post(
            base + CALLBACK_PATH,
            json={
                "output": "..map.figure...rendered.data..",
                "outputs": [],
                "inputs": [],
                "changedPropIds": [],
            },
        )
        assert bad.status_code < 500 and _clean(bad.text)
        debugger = httpx.get(base + "/?__debugger__=yes&cmd=resource&f=debugger.js")
        assert "Werkzeug Debugger" not in debugger.text and "CONSOLE_MODE" not in debugger.text
        assert _clean(debugger.text)
        assert httpx.get(base + "/").status_code == 200
    assert "Debug mode: off" in log.read_text(errors="replace")


# --- request guards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "status"),
    [
        ("empty", b"", "application/json", 400),
        ("truncated", b'{"output": "x', "application/json", 400),
        ("null", b"null", "application/json", 400),
        ("array", b"[1, 2]", "application/json", 400),
        ("string", b'"output"', "application/json", 400),
        ("deep", b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        ("form", b"output=x", "application/x-www-form-urlencoded", 415),
        ("no output", b'{"inputs": []}', "application/json", 400),
        (
            "unknown output",
            b'{"output": "nope.children", "outputs": {}, "inputs": [], "changedPropIds": []}',
            "application/json",
            400,
        ),
        ("too large", b"[" + b"1," * (MAX_REQUEST_BYTES // 2) + b"1]", "application/json", 413),
    ],
)
def test_malformed_bodies_get_a_plain_4xx(client, name, data, content_type, status):
    response = client.post(CALLBACK_PATH, data=data, content_type=content_type)
    assert response.status_code == status, name
    assert response.mimetype == "text/plain"
    assert _clean(response.get_data(as_text=True))


def test_bodies_that_do_not_fit_the_callback_are_refused(client, page):
    model = page[1]
    browser = _browser(page, client)
    good = browser.payload(model.by_name("sync"), [browser.set("layers", "value", ["ukraine"])])
    clientside = next(c for c in model.callbacks if c.clientside)
    for body in (
        {**good, "inputs": good["inputs"][:-1]},
        {**good, "inputs": [*good["inputs"], good["inputs"][0]]},
        {**good, "state": []},
        {**good, "inputs": [[] if not isinstance(i, list) else {} for i in good["inputs"]]},
        {**good, "changedPropIds": [{"id": "layers"}]},
        {**good, "output": clientside.output},
        {**good, "inputs": ["layers.value"] * len(good["inputs"])},
    ):
        response = client.post(CALLBACK_PATH, json=body)
        assert response.status_code == 400, response.get_data(as_text=True)
    assert client.post(CALLBACK_PATH, json=good).status_code == 200


def test_the_largest_upload_the_page_sends_fits_under_the_limit(client, page):
    browser = _browser(page, client)
    loadtest, model = page
    text = "version: 1\n" + "# " + "x" * (SCENARIO_LIMITS.max_bytes - 20) + "\n"
    browser.set("upload", "filename", "big.yaml")
    changed = [browser.set("upload", "contents", loadtest._upload(text))]
    body = json.dumps(browser.payload(model.by_name("sync"), changed)).encode()
    assert len(body) < MAX_REQUEST_BYTES
    response = client.post(CALLBACK_PATH, data=body, content_type="application/json")
    assert response.status_code == 200
    assert "upload-message" in response.get_data(as_text=True)


# --- scenario upload ------------------------------------------------------------------------


def _upload_text(service, text: str | bytes, name: str = "s.yaml"):
    raw = text.encode() if isinstance(text, str) else text
    contents = "data:application/x-yaml;base64," + base64.b64encode(raw).decode()
    view = service.views.view_data(Scenario(layers=("threats",)))
    return service.actions.sync("upload", None, {}, view, upload=(contents, name))


def _message(out) -> str:
    message = dash_value(out["upload-message.children"])
    return json.dumps(json.loads(to_json(message)), ensure_ascii=False)


@pytest.mark.parametrize(
    ("label", "text", "expected"),
    [
        ("yaml syntax", "layers: [threats\n", "2"),  # the line of the problem
        ("not a mapping", "- a\n- b\n", "mapping"),
        ("unknown field", "version: 1\nlayerz: [threats]\n", "layerz"),
        ("bad value", "version: 1\nbasis: rumour\n", "basis"),
        ("unknown grouping", "version: 1\ngroupings: [atlantis]\n", "atlantis"),
        ("python object", "!!python/object/apply:os.getcwd []\n", "python"),
        ("python name", "x: !!python/name:os.system\n", "python"),
        ("not utf-8", b"\xff\xfe\x00\x01", "UTF-8"),
        ("path-like id", "version: 1\nid: ../../etc/passwd\n", "id"),
    ],
)
def test_each_upload_failure_has_a_message_and_keeps_the_view(app, label, text, expected):
    out = _upload_text(app.view_service, text, name="../../etc/passwd")
    assert set(out) == {"upload-message.children"}, label  # view, URL and controls unchanged
    message = _message(out)
    assert "message-bad" in message, label
    assert expected in message, (label, message)
    assert "../../etc/passwd" in message  # the file name is only echoed as text


def test_an_upload_cannot_run_code(app, tmp_path):
    marker = tmp_path / "ran"
    text = f"!!python/object/apply:builtins.exec [\"open({str(marker)!r}, 'w')\"]\n"
    out = _upload_text(app.view_service, text)
    assert set(out) == {"upload-message.children"}
    assert not marker.exists()


def test_an_oversized_upload_is_refused_with_a_message(app):
    out = _upload_text(app.view_service, "version: 1\n#" + "x" * SCENARIO_LIMITS.max_bytes)
    assert set(out) == {"upload-message.children"}
    assert "message-bad" in _message(out)


def test_an_oversized_upload_says_it_is_too_large(app):
    message = _message(
        _upload_text(app.view_service, "version: 1\n#" + "x" * SCENARIO_LIMITS.max_bytes)
    )
    assert str(SCENARIO_LIMITS.max_bytes // 1000) in message and "KB" in message


@pytest.mark.parametrize("text", ["version: 1\ntitle_en: a\x00b\n", "title_en: \ud800\n"])
def test_characters_yaml_forbids_get_an_upload_message(app, text):
    out = _upload_text(app.view_service, text.encode("utf-8", "surrogatepass"))
    assert set(out) == {"upload-message.children"}
    assert "message-bad" in _message(out)


def test_the_yaml_loader_is_safe():
    """It builds objects with SafeConstructor (plain values only), whichever parser it reads."""
    from yaml.constructor import FullConstructor, SafeConstructor

    from geodata import yamlio

    assert issubclass(yamlio._Loader, SafeConstructor)
    assert not issubclass(yamlio._Loader, FullConstructor)


def test_no_project_code_uses_an_unsafe_yaml_loader():
    """Every yaml.load*/full_load/unsafe_load call in the project names a safe loader."""
    unsafe = []
    for path in [
        *REPO.glob("geodata/*.py"),
        *REPO.glob("dashboard/**/*.py"),
        *REPO.glob("scripts/*.py"),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml"):
                continue
            name = node.func.attr
            if name in ("unsafe_load", "full_load", "unsafe_load_all", "full_load_all"):
                unsafe.append(f"{path.name}:{node.lineno} yaml.{name}")
            elif name in ("load", "load_all"):
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if loader is None and len(node.args) > 1:
                    loader = node.args[1]
                text = ast.unparse(loader) if loader is not None else ""
                if not re.search(r"Safe|_Loader", text):
                    unsafe.append(f"{path.name}:{node.lineno} yaml.{name}(Loader={text})")
    assert unsafe == []


# --- no files written by web requests --------------------------------------------------------

WRITE_EVENTS = {
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.truncate",
    "os.symlink",
    "os.link",
    "os.chmod",
    "shutil.copyfile",
    "shutil.move",
    "shutil.rmtree",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
}
_AUDIT: dict[str, object] = {"on": False, "events": []}
_HOOKED = False


def _audit_hook(event: str, args: tuple) -> None:
    """Every file this process (any thread) opens for writing, creates, moves or removes."""
    if not _AUDIT["on"]:
        return
    if event == "open":
        path, mode, flags = [*args, None, None, None][:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        if writes and not str(path).startswith(("/dev/", "/proc/")):
            _AUDIT["events"].append((threading.current_thread().name, event, str(path)))
    elif event in WRITE_EVENTS:
        _AUDIT["events"].append((threading.current_thread().name, event, repr(args)[:200]))


def _listing(root: Path, *, recursive: bool) -> dict[str, tuple[int, int]]:
    skip = {".git", ".pytest_cache", ".hypothesis", ".ruff_cache", "__pycache__", ".venv"}
    entries = {}
    walker = os.walk(root) if recursive else [(str(root), [], os.listdir(root))]
    for folder, dirs, files in walker:
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            path = Path(folder) / name
            try:
                stat = path.lstat()
            except OSError:
                continue
            entries[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return entries


def _exported(response, token: str) -> str:
    """The file a download callback sends to the browser (base64 or text), checked."""
    data = response.get_json()["response"]
    download = next(props["data"] for props in data.values() if "data" in props)
    assert download["filename"].startswith(token)  # named after the view, sent, not stored
    assert "/" not in download["filename"] and download["content"]
    return download["filename"]


def _is_export_job(callback) -> bool:
    return any(d.id == "export-request" for d in callback.inputs)


def _burst(client, page, token: str) -> list[str]:
    """Callback requests of every kind a page sends, the scenario's YAML download included, plus
    the bad-input corpus and uploads; the names of the files sent for download. (Image exports
    run as background jobs in processes of their own: tests/dashboard/test_export_button.py.)"""
    loadtest, model = page
    sent = []
    formats = iter(["png", "svg", "pdf"])
    for search in ("", "?scenario=threats_360&lang=en", f"?focus=USA&scenario={token}"):
        browser = _browser(page, client, search)
        view = browser.get("view", "data")
        view = {**view, "scenario": {**view["scenario"], "id": token, "title_en": token}}
        browser.set("view", "data", view)
        browser.set("export-format", "value", next(formats))
        for callback in model.server_callbacks():
            if "export-request" in callback.output or _is_export_job(callback):
                continue  # image exports: background jobs in processes of their own
            trigger = next(d for d in callback.inputs if not d.pattern)
            if callback.export:
                changed = [browser.set(trigger.id, trigger.prop, 1)]
            else:
                changed = [(trigger.id, trigger.prop)]
            response = client.post(CALLBACK_PATH, json=browser.payload(callback, changed))
            assert response.status_code in (200, 204), callback.name
            if callback.export:
                sent.append(_exported(response, token))
        for case in loadtest.bad_requests(browser):
            response = client.open(
                case.path, method=case.method, data=case.body, content_type=case.content_type
            )
            assert response.status_code < 500, case.name
        upload = loadtest._upload(Scenario(id=token, layers=("threats",)).to_yaml())
        browser.set("upload", "filename", f"{token}.yaml")
        changed = [browser.set("upload", "contents", upload)]
        response = client.post(CALLBACK_PATH, json=browser.payload(model.by_name("sync"), changed))
        assert response.status_code == 200
    return sent


def test_web_requests_write_no_files(client, page, request, monkeypatch):
    """A burst of callback requests (YAML downloads, uploads, bad input) writes no file: nothing
    opened for writing by any thread of the server process, nothing new in its /tmp, nothing new
    in the repository; the downloads exist only in the responses.

    The server's /tmp is a private TMPDIR here, so that other programs on the machine do not
    show in its listing.
    """
    global _HOOKED
    # short: Chromium puts a unix socket in TMPDIR, and those paths are limited to 107 bytes
    private_tmp = Path(tempfile.mkdtemp(prefix="atlas-tmp-"))
    request.addfinalizer(lambda: shutil.rmtree(private_tmp, ignore_errors=True))
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    if not _HOOKED:
        sys.addaudithook(_audit_hook)
        _HOOKED = True
    token = f"atlasprobe{uuid.uuid4().hex[:12]}"
    repo_before = _listing(REPO, recursive=True)
    tmp_before = set(os.listdir(private_tmp))
    real_tmp_before = set(os.listdir("/tmp"))
    started = time.time_ns()
    _AUDIT["events"] = []
    _AUDIT["on"] = True
    try:
        sent = _burst(client, page, token)
    finally:
        _AUDIT["on"] = False
    assert sorted(Path(name).suffix for name in sent) == [".yaml"] * 3
    assert _AUDIT["events"] == []
    assert set(os.listdir(private_tmp)) - tmp_before == set()
    new_real_tmp = set(os.listdir("/tmp")) - real_tmp_before
    assert [name for name in new_real_tmp if token in name] == []
    repo_after = _listing(REPO, recursive=True)
    changed = [
        path
        for path, (size, mtime) in repo_after.items()
        if mtime >= started and repo_before.get(path) != (size, mtime)
    ]
    # (people edit source files while tests run; a file the server wrote would not be .py)
    assert [p for p in changed if Path(p).suffix != ".py"] == []
    assert [p for p in repo_after if token in p] == []
    assert list(private_tmp.iterdir()) == []  # the browser's files went with it


# --- in a real browser ---------------------------------------------------------------------

CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(' '));
});
"""
GRAPH_DRAWN = """
const gd = document.querySelector('#map .js-plotly-plot');
return !!(gd && gd.data && gd.data.length && gd._fullLayout
          && gd.querySelectorAll('.geo path').length > 50);
"""


@pytest.fixture
def secure_duo(dash_thread_server, tmp_path):
    if not browser_available():
        pytest.skip("needs chromium and chromedriver")
    with headless_dash(
        dash_thread_server,
        tmp_path / "download",
        arguments=("--window-size=1400,1000",),
        wait_timeout=30,
    ) as composite:
        yield composite


def _posted_bodies(driver) -> list[dict]:
    bodies = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        if request["method"] == "POST" and CALLBACK_PATH in request["url"]:
            bodies.append(json.loads(request.get("postData") or "{}"))
    return bodies


def _shape(body: dict) -> dict:
    """What identifies a request's form: keys, ids, properties, which entries carry a value."""

    def entries(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out.append(("ALL", "list"))
            else:
                out.append((json.dumps(item["id"]), item["property"], "value" in item))
        return out

    outputs = body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]]
    return {
        "keys": sorted(body),
        "output": body["output"],
        "outputs": [
            ("ALL", len(o)) if isinstance(o, list) else (json.dumps(o["id"]), o["property"])
            for o in outputs
        ],
        "inputs": entries(body["inputs"]),
        "state": entries(body.get("state", [])),
    }


@pytest.mark.browser
def test_the_page_runs_under_the_csp_and_the_load_test_sends_what_it_sends(
    secure_duo, atlas, presets, page, client
):
    """Headless Chromium: the map draws its geo paths under the CSP, no violation is reported,
    and the callback bodies the page posts have the form scripts/loadtest.py builds."""
    duo = secure_duo
    app = create_app(lang="ja", atlas=atlas, presets=presets)
    duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    duo.start_server(app, port=free_port())
    duo.driver.get(duo.server_url + "/")
    wait_for(lambda: duo.driver.execute_script(GRAPH_DRAWN), "the map was not drawn", timeout=40)
    first = _posted_bodies(duo.driver)
    # interact: a layer, a row of the table (details), the save button (a download), the language
    duo.driver.execute_script("document.querySelector('#layers input').click()")
    duo.driver.execute_script("document.getElementById('view-table-area').scrollIntoView()")
    wait_for(
        lambda: duo.driver.execute_script("return !!document.querySelector('#view-table button')"),
        "no table rows",
        timeout=40,
    )
    duo.driver.execute_script("document.querySelector('#view-table button').click()")
    time.sleep(1.5)
    duo.driver.execute_script("document.querySelector('#save').click()")
    time.sleep(1.5)
    duo.driver.execute_script("document.querySelector('#lang input[value=en]').click()")
    time.sleep(1.5)
    bodies = first + _posted_bodies(duo.driver)
    violations = duo.driver.execute_script("return window.__csp")
    console = [e["message"] for e in duo.driver.get_log("browser")]
    assert violations == [], violations
    assert [m for m in console if "Content Security Policy" in m or "Refused to" in m] == []
    assert duo.driver.execute_script(GRAPH_DRAWN)

    # the load test builds the same bodies: the first one exactly, every one in form
    loadtest, model = page
    browser = loadtest.Browser(model, __import__("random").Random(1))
    browser.reset("")
    names = {c.output: c.name for c in model.callbacks}
    first_sync = next(body for body in first if names[body["output"]] == "sync")
    # the page's layout came with its heading (the model's, fetched without a page, has none)
    for entry in first_sync["state"]:
        if entry["id"] in ("view-title", "view-description", "map-summary"):
            browser.set(entry["id"], entry["property"], entry.get("value"))
    assert first_sync == browser.payload(model.by_name("sync"), [("url-request", "data")])
    seen = {names[b["output"]] for b in bodies}
    assert {"sync", "render", "table", "translate", "export:yaml"} <= seen
    browser = _browser(page, client)
    for body in bodies:
        callback = next(c for c in model.callbacks if c.output == body["output"])
        changed = [tuple(c.rsplit(".", 1)) for c in body["changedPropIds"]]
        ours = browser.payload(callback, changed)
        theirs, mine = _shape(body), _shape(ours)
        assert theirs["keys"] == mine["keys"]
        assert theirs["outputs"][:1] == mine["outputs"][:1] or theirs["outputs"][0][0] == "ALL"
        assert [e[:2] for e in theirs["inputs"]] == [e[:2] for e in mine["inputs"]]
        assert [e[:2] for e in theirs["state"]] == [e[:2] for e in mine["state"]]
        assert body["changedPropIds"] == ours["changedPropIds"]
        assert body["parsedChangedPropsIds"] == ours["parsedChangedPropsIds"]
