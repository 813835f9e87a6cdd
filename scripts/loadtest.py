#!/usr/bin/env python
"""Load test: many simulated browsers replaying the dashboard's real callback requests.

    .venv/bin/python scripts/loadtest.py                      # 4 gunicorn workers, 50 clients
    .venv/bin/python scripts/loadtest.py --clients 2 --requests 50 --json report.json
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8050 --server-pid PID

Without --url it starts `python -m dashboard.production` (gunicorn, preloaded, --workers 4) on a
free port of 127.0.0.1, and stops it at the end. Only loopback addresses are ever contacted.

How the requests are made (no hand-written payloads): each simulated browser reads the page's
callback map (GET /_dash-dependencies) and layout (GET /_dash-layout), keeps every component
property the way dash-renderer keeps them, and for each user action builds the POST
/_dash-update-component body exactly as dash-renderer does: `output`, `outputs`, `inputs` and
`state` with the current values (a property never set is sent without "value", pattern-matching
ALL dependencies as lists of every matching component), `changedPropIds` and
`parsedChangedPropsIds`. The response is applied to that browser's state (new components inside
`children` are registered, e.g. the table's row buttons) and the callbacks whose inputs changed
are fired next, concurrently, as the browser does: a date change is `sync` (which brings the
heading and details too), then `render` and, once the map is drawn, `table` (and `compare` when
the comparison is on). tests/dashboard/test_security.py runs the page in headless Chromium, records the
bodies the real browser sends and checks that these are built the same way (same keys, ids,
properties and value types).

Each simulated browser has its own connections (at most 6, as Chromium has per host), so one
browser's requests never queue behind another's in the load generator. The report also gives
how late the load generator's own event loop ran: that delay is inside every latency measured.

Actions (weights): page loads with a random shared URL, presets, layer toggles, date ranges,
other controls, map and table clicks (details), compare, language switches, exports (the
callbacks whose output is a dcc.Download: the scenario YAML, and the PNG/SVG/PDF image, a share
--image-share of the exports: the export button, whose background job renders in kaleido's
headless Chromium outside the worker and is polled as the page polls it; "busy" answers are
counted, not errors) and re-upload of an exported YAML file.
A share (--bad-share) of the steps sends a malformed request instead (see bad_requests()):
each must get a 4xx or a handled 200, never a 5xx or a traceback.
Between two actions each simulated person pauses (exponentially distributed, mean --think-ms,
5 s by default: someone reading the map before the next click); with --think-ms 0 every browser
acts again as soon as its last answer is in, which measures capacity rather than response time.

Bounded: stops issuing requests at --requests (in-flight ones finish) or at --max-seconds
(everything still running is cancelled); a warm-up (--warmup requests, not in the statistics)
runs first, then the workers' memory is measured before and after the measured run.
Exit status 0 when every target holds: no errors, p95 of the non-export callbacks within
--p95-ms, memory growth within --max-growth.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import ipaddress
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from dashboard.callbacks import CLIENTSIDE_COPIES, EXPORT_POLL_MS  # noqa: E402
from dashboard.local_server import (  # noqa: E402
    READY_PATH,
    free_port,
    gunicorn_command,
    local_server,
    wait_ready,
)
from dashboard.processes import (  # noqa: E402
    megabytes,
    tree_memory,
    wait_for_children,
    workers_cpu_seconds,
)
from dashboard.production import KEEPALIVE_S  # noqa: E402

CALLBACK_PATH = "/_dash-update-component"
ERROR_MARKERS = ("Traceback (most recent call last)", "__debugger__", 'File "/')
MB = 1_000_000
# each simulated browser has its own connections, as a browser does: at most 6 to one host
# (Chromium's limit for HTTP/1.1), idle ones dropped before the server's keep-alive (KEEPALIVE_S)
# closes them, so that a request never races the server's close (a browser retries such a
# request by itself)
BROWSER_LIMITS = httpx.Limits(
    max_connections=6, max_keepalive_connections=6, keepalive_expiry=KEEPALIVE_S / 2
)

# --- the page's callback map ---------------------------------------------------------------


def id_key(component_id: Any) -> str:
    """A component id as dash-renderer stringifies it (dict ids: JSON with sorted keys)."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _parse_id(text: str) -> Any:
    if text.startswith("{"):
        return json.loads(text)
    return text


@dataclass(frozen=True)
class Dep:
    """One input, state or output of a callback."""

    id: Any  # str, or a dict whose wildcard values are lists (["ALL"])
    prop: str

    @property
    def pattern(self) -> bool:
        return isinstance(self.id, dict) and any(isinstance(v, list) for v in self.id.values())

    def matches(self, component_id: Any) -> bool:
        if not self.pattern:
            return id_key(component_id) == id_key(self.id)
        return (
            isinstance(component_id, dict)
            and component_id.keys() == self.id.keys()
            and all(isinstance(v, list) or component_id[k] == v for k, v in self.id.items())
        )


@dataclass(frozen=True)
class Callback:
    output: str  # Dash's output string, the callback's key
    outputs: tuple[Dep, ...]
    inputs: tuple[Dep, ...]
    state: tuple[Dep, ...]
    prevent_initial_call: bool
    clientside: bool
    name: str
    export: bool

    @property
    def multi(self) -> bool:
        return self.output.startswith("..")


def _deps(items: Iterable[dict[str, Any]]) -> tuple[Dep, ...]:
    return tuple(
        Dep(_parse_id(d["id"]) if isinstance(d["id"], str) else d["id"], d["property"])
        for d in items
    )


def _outputs(output: str) -> tuple[Dep, ...]:
    """The outputs a callback's `output` names ("id.prop", "..a.p...b.q.."); none for a
    callback without outputs (Dash names it by a hash)."""
    if "." not in output:
        return ()
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    deps = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        deps.append(Dep(_parse_id(component), prop))
    return tuple(deps)


# the callbacks whose output is a dcc.Download: the scenario YAML, and the image export's
# background job; the export button's own callback admits the job (or answers busy)
EXPORT_NAMES = {"download": "yaml", "export-download": "image-job"}
CALLBACK_NAMES = {
    "url": "sync",
    "map": "render",
    "view-table": "table",
    "map-b": "compare",
    "export-request": "export:image",
    "export-cancel": "export:cancel",
}


@dataclass
class AppModel:
    """What a browser learns from /_dash-dependencies and /_dash-layout."""

    callbacks: list[Callback]
    layout: dict[str, Any]
    types: dict[str, str]  # id key -> component type

    @classmethod
    def from_json(cls, dependencies: list[dict[str, Any]], layout: dict[str, Any]) -> AppModel:
        types: dict[str, str] = {}
        for component_id, kind, _props in walk_components(layout):
            types[id_key(component_id)] = kind
        callbacks = []
        for spec in dependencies:
            outputs = _outputs(spec["output"])
            first = outputs[0].id if outputs else None
            export = any(types.get(id_key(o.id)) == "Download" for o in outputs)
            export = export or first == "export-request"
            if first is None:  # it only acts on the page (the page's <html lang>)
                name = "no-output"
            elif export and first != "export-request":
                name = "export:" + EXPORT_NAMES.get(first, str(first))
            elif isinstance(first, dict):
                name = "translate" if "i18n" in first else "pattern"
            else:
                name = CALLBACK_NAMES.get(first, first)
            callbacks.append(
                Callback(
                    output=spec["output"],
                    outputs=outputs,
                    inputs=_deps(spec["inputs"]),
                    state=_deps(spec.get("state", [])),
                    prevent_initial_call=bool(spec.get("prevent_initial_call")),
                    clientside=bool(spec.get("clientside_function")),
                    name=name,
                    export=export,
                )
            )
        return cls(callbacks, layout, types)

    def server_callbacks(self) -> list[Callback]:
        return [c for c in self.callbacks if not c.clientside]

    def by_name(self, name: str) -> Callback:
        return next(c for c in self.server_callbacks() if c.name == name)


def walk_components(tree: Any) -> Iterable[tuple[Any, str, dict[str, Any]]]:
    """(id, type, props) of every component with an id in a serialised component tree."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict) and isinstance(node.get("props"), dict) and "type" in node:
            props = node["props"]
            if "id" in props:
                yield props["id"], node["type"], props
            for value in reversed(list(props.values())):
                if isinstance(value, dict | list):
                    stack.append(value)


# --- one simulated browser ------------------------------------------------------------------


class Browser:
    """The component properties one page holds, and the request bodies it sends."""

    def __init__(self, model: AppModel, rng: random.Random):
        self.model = model
        self.rng = rng
        self.bad_cases: list[BadRequest] = []  # built from this page once, when first needed
        self.reset()

    def reset(self, search: str = "") -> None:
        self.props: dict[tuple[str, str], Any] = {}
        self.ids: dict[str, Any] = {}  # id key -> id, in page order
        self.children_of: dict[tuple[str, str], list[str]] = {}
        self._register(self.model.layout, None)
        self.props[("url-request", "data")] = search  # dcc.Location sets it when it mounts
        self.props[("url-request", "data")] = search  # and the page hands it on (atlas.route)
        self.props[("url", "pathname")] = "/"

    def _register(self, tree: Any, parent: tuple[str, str] | None) -> None:
        if parent is not None:
            for key in self.children_of.pop(parent, []):
                self.ids.pop(key, None)
                for prop_key in [k for k in self.props if k[0] == key]:
                    del self.props[prop_key]
        added = []
        for component_id, _kind, props in walk_components(tree):
            key = id_key(component_id)
            self.ids[key] = component_id
            added.append(key)
            for prop, value in props.items():
                if prop != "children" or not isinstance(value, dict | list):
                    self.props[(key, prop)] = value
        if parent is not None:
            self.children_of[parent] = added

    def get(self, component_id: Any, prop: str, default: Any = None) -> Any:
        return self.props.get((id_key(component_id), prop), default)

    def _entry(self, dep: Dep, with_value: bool) -> Any:
        def one(component_id: Any) -> dict[str, Any]:
            entry: dict[str, Any] = {"id": component_id, "property": dep.prop}
            key = (id_key(component_id), dep.prop)
            if with_value and key in self.props:
                entry["value"] = self.props[key]
            return entry

        if dep.pattern:
            return [one(cid) for cid in self.ids.values() if dep.matches(cid)]
        return one(dep.id)

    def payload(self, callback: Callback, changed: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """The POST body dash-renderer sends to run `callback` after `changed` props changed."""
        outputs = [self._entry(o, with_value=False) for o in callback.outputs]
        changed = list(changed)
        return {
            "output": callback.output,
            "outputs": outputs if callback.multi else outputs[0],
            "inputs": [self._entry(d, with_value=True) for d in callback.inputs],
            "changedPropIds": [f"{key}.{prop}" for key, prop in changed],
            "parsedChangedPropsIds": [
                json.loads(key) if key.startswith("{") else f"{key}.{prop}" for key, prop in changed
            ],
            **(
                {"state": [self._entry(d, with_value=True) for d in callback.state]}
                if callback.state
                else {}
            ),
        }

    def set(self, component_id: Any, prop: str, value: Any) -> tuple[str, str]:
        key = (id_key(component_id), prop)
        self.props[key] = value
        return key

    def apply(self, body: dict[str, Any]) -> set[tuple[str, str]]:
        """Apply a callback response; the properties whose value changed."""
        changed: set[tuple[str, str]] = set()
        for section in ("response", "sideUpdate"):
            for key, props in (body.get(section) or {}).items():
                for prop, value in props.items():
                    if isinstance(value, dict) and "__dash_patch_update" in value:
                        value = apply_patch(self.props.get((key, prop)), value["operations"])
                    if self.props.get((key, prop), object()) == value:
                        continue
                    self.props[(key, prop)] = value
                    changed.add((key, prop))
                    if prop == "children":
                        self._register(value, (key, prop))
        for source, target in CLIENTSIDE_COPIES.items():
            if source in changed:
                self.props[target] = self.props[source]
                changed.add(target)
        return changed

    def triggered_by(
        self, changed: set[tuple[str, str]], source: Callback | None = None
    ) -> list[tuple[Callback, list[tuple[str, str]]]]:
        """The server callbacks an input of which is among `changed` (not `source` itself)."""
        fired = []
        for callback in self.model.server_callbacks():
            if callback is source:
                continue
            hits = [
                (key, prop)
                for key, prop in changed
                for dep in callback.inputs
                if dep.prop == prop and dep.matches(self.ids.get(key, key))
            ]
            if hits:
                fired.append((callback, hits))
        return fired

    # --- what a person does --------------------------------------------------------------

    def options(self, component_id: str) -> list[Any]:
        values = []
        for option in self.get(component_id, "options") or []:
            values.append(option.get("value") if isinstance(option, dict) else option)
        return [v for v in values if v is not None]

    def suggestions(self, datalist_id: str) -> list[str]:
        """The values of a <datalist>'s options in the page's layout (what a text input
        suggests; the server takes them in either language)."""
        for component_id, _kind, props in walk_components(self.model.layout):
            if component_id == datalist_id:
                return [
                    option["props"]["value"]
                    for option in props.get("children") or []
                    if isinstance(option, dict) and isinstance(option.get("props"), dict)
                ]
        return []

    def row_keys(self) -> list[str]:
        return [
            cid["key"]
            for cid in self.ids.values()
            if isinstance(cid, dict) and cid.get("type") == "row-focus"
        ]


# --- statistics -----------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    error_count: Counter = field(default_factory=Counter)
    bad: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    requests: int = 0  # the simulated people's actions (the budget of --requests)
    job_polls: int = 0  # the page's polls of its running export jobs, on top of those
    busy: int = 0  # exports answered "busy, try again" (every export slot taken)
    bytes_in: int = 0
    loop_lag: list[float] = field(default_factory=list)  # s late, of a 10 ms timer in the client

    def error(self, kind: str, message: str) -> None:
        self.error_count[kind] += 1
        if len(self.errors) < 20:
            self.errors.append(f"{kind}: {message}")


def apply_patch(value: Any, operations: list[dict[str, Any]]) -> Any:
    """What dash-renderer does with a dash.Patch of Assign, Delete and Insert operations: a new
    value that shares what the operations leave alone (`value` itself is left as it was)."""
    for operation in operations:
        value = _patched(value, operation["location"], operation)
    return value


def _patched(node: Any, location: list[Any], operation: dict[str, Any]) -> Any:
    """A copy of `node` with one operation applied at `location` under it (only the containers
    along the way are copied, as ramda's assocPath and dissocPath do in dash-renderer)."""
    key, *rest = location
    copy = dict(node) if isinstance(node, dict) else list(node)
    if rest:
        child = node.get(key, {}) if isinstance(node, dict) else node[key]
        copy[key] = _patched(child, rest, operation)
    elif operation["operation"] == "Assign":
        copy[key] = operation["params"]["value"]
    elif operation["operation"] == "Delete":
        del copy[key]
    elif operation["operation"] == "Insert":
        copy[key] = list(copy[key])
        copy[key].insert(operation["params"]["index"], operation["params"]["value"])
    else:
        raise ValueError(f"unexpected Patch operation {operation['operation']!r}")
    return copy


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


# --- malformed requests -------------------------------------------------------------------


@dataclass(frozen=True)
class BadRequest:
    """A request the page never sends; `expect` is '4xx' or 'handled' (200/204, no 5xx)."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = "application/json"
    expect: str = "any"  # '4xx', 'handled' (2xx) or 'any' (anything below 500)


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


def _with_input(body: dict[str, Any], component: str, prop: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with one input (or state) value replaced and marked as changed."""
    body = json.loads(json.dumps(body))
    for section in ("inputs", "state"):
        for entry in body.get(section, []):
            if isinstance(entry, dict) and entry["id"] == component and entry["property"] == prop:
                entry["value"] = value
                if section == "inputs":
                    body["changedPropIds"] = [f"{component}.{prop}"]
                    body["parsedChangedPropsIds"] = [f"{component}.{prop}"]
    return body


def _upload(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "data:application/x-yaml;base64," + base64.b64encode(raw).decode()


def bad_requests(browser: Browser) -> list[BadRequest]:
    """The malformed-request corpus, built from real request bodies of `browser`'s page."""
    model = browser.model
    sync = browser.payload(model.by_name("sync"), [("layers", "value")])
    render = browser.payload(model.by_name("render"), [("map-view", "data")])
    export = browser.payload(model.by_name("export:yaml"), [("save", "n_clicks")])
    view = browser.get("view", "data")
    huge = "x" * MB  # 1 MB: under the 1 MiB body limit, so the callbacks must handle it
    control = (
        "\x00\x01\x1b[31m\u202e\ufeff\U0001f600\ud800"  # NUL, ESC, RTL override, lone surrogate
    )
    traversal = "../../etc/passwd"

    def upload(name: str, contents: str, filename: str = "scenario.yaml") -> BadRequest:
        body = _with_input(sync, "upload", "contents", contents)
        body = _with_input(body, "upload", "filename", filename)
        body["changedPropIds"] = body["parsedChangedPropsIds"] = ["upload.contents"]
        return BadRequest(name, "POST", CALLBACK_PATH, _json(body), expect="handled")

    def post(name: str, body: Any, expect: str = "handled") -> BadRequest:
        return BadRequest(name, "POST", CALLBACK_PATH, _json(body), expect=expect)

    cases = [
        BadRequest(
            "malformed-json", "POST", CALLBACK_PATH, b'{"output": "..url.search', expect="4xx"
        ),
        BadRequest("empty-body", "POST", CALLBACK_PATH, b"", expect="4xx"),
        BadRequest("not-json-type", "POST", CALLBACK_PATH, _json(sync), "text/plain", "4xx"),
        BadRequest("json-array", "POST", CALLBACK_PATH, b"[1, 2, 3]", expect="4xx"),
        BadRequest("deep-json", "POST", CALLBACK_PATH, b"[" * 50_000 + b"]" * 50_000, expect="4xx"),
        post("missing-inputs", {k: v for k, v in sync.items() if k != "inputs"}, "4xx"),
        post("inputs-not-list", {**sync, "inputs": "layers"}, "4xx"),
        post("inputs-short", {**sync, "inputs": sync["inputs"][:2]}, "4xx"),
        post("unknown-output", {**sync, "output": "no-such-component.children"}, "4xx"),
        post("unknown-changed-id", {**sync, "changedPropIds": ["nope.value"]}),
        post(
            "unknown-input-id",
            _with_input(
                {
                    **sync,
                    "inputs": [
                        {**e, "id": "no-such-id"}
                        if isinstance(e, dict) and e["id"] == "layers"
                        else e
                        for e in sync["inputs"]
                    ],
                },
                "no-such-id",
                "value",
                ["threats"],
            ),
        ),
        post("wrong-type-layers", _with_input(sync, "layers", "value", 5)),
        post("wrong-type-layers-items", _with_input(sync, "layers", "value", [1, None, {"a": 1}])),
        post("wrong-type-date", _with_input(sync, "date-from", "value", {"y": 2024})),
        post("bad-date", _with_input(sync, "date-from", "value", "2024-02-30")),
        post("wrong-type-view", _with_input(sync, "view", "data", "not a view")),
        post(
            "wrong-type-view-fields", _with_input(sync, "view", "data", {"scenario": {"layers": 7}})
        ),
        post("wrong-type-rendered", _with_input(render, "rendered", "data", [1, 2])),
        post("wrong-type-selected", _with_input(sync, "selected", "data", {"id": [1]})),
        post("wrong-type-click", _with_input(sync, "map", "clickData", {"points": "all"})),
        post("huge-search", _with_input(sync, "url-request", "data", "?focus=" + huge)),
        post("huge-date", _with_input(sync, "date-to", "value", huge)),
        post("huge-country", _with_input(sync, "focus", "value", huge)),
        BadRequest(
            "huge-body-2MB",
            "POST",
            CALLBACK_PATH,
            _json(_with_input(sync, "url-request", "data", "?" + "y" * (2 * MB))),
            expect="4xx",
        ),
        post("control-chars-search", _with_input(sync, "url-request", "data", "?focus=" + control)),
        post("control-chars-title", _with_input(export, "view", "data", _retitle(view, control))),
        post("path-export-id", _with_input(export, "view", "data", _reid(view, traversal))),
        post("path-scenario", _with_input(sync, "scenario", "value", traversal)),
        post("path-selected", _with_input(sync, "selected", "data", traversal)),
        post("unknown-scenario", _with_input(sync, "scenario", "value", "no-such-preset")),
        post(
            "unknown-scenario-url",
            _with_input(sync, "url-request", "data", "?scenario=no-such-preset"),
        ),
        post(
            "unknown-focus-url", _with_input(sync, "url-request", "data", "?focus=NOPE&layers=x,y")
        ),
        upload("upload-not-base64", "data:application/x-yaml;base64,%%%"),
        upload("upload-not-utf8", _upload(b"\xff\xfe\x00bad")),
        upload("upload-python-tag", _upload("!!python/object/apply:os.system ['true']\n")),
        upload("upload-not-mapping", _upload("- a\n- b\n")),
        upload("upload-unknown-field", _upload("version: 1\nlayerz: [threats]\n")),
        upload("upload-too-big", _upload("# " + "z" * 300_000 + "\nversion: 1\n")),
        upload("upload-path-name", _upload("version: 1\n"), filename=traversal),
        upload("upload-yaml-syntax", _upload("version: [1\n")),
        BadRequest("get-traversal", "GET", "/../../etc/passwd", None, None),
        BadRequest("get-assets-traversal", "GET", "/assets/../../pyproject.toml", None, None),
        BadRequest(
            "get-suite-traversal",
            "GET",
            "/_dash-component-suites/dash/..%2f..%2f..%2fetc%2fpasswd",
            None,
            None,
        ),
    ]
    return cases


def _retitle(view: Any, title: str) -> Any:
    if not isinstance(view, dict) or not isinstance(view.get("scenario"), dict):
        return view
    return {**view, "scenario": {**view["scenario"], "title_ja": title, "title_en": title}}


def _reid(view: Any, scenario_id: str) -> Any:
    if not isinstance(view, dict) or not isinstance(view.get("scenario"), dict):
        return view
    return {**view, "scenario": {**view["scenario"], "id": scenario_id}}


def judge_bad(case: BadRequest, status: int, text: str) -> str | None:
    """Why the answer to a malformed request is wrong (None when it is fine)."""
    if status >= 500:
        return f"status {status}"
    if any(marker in text for marker in ERROR_MARKERS):
        return "traceback or debugger in the body"
    if "root:x:0:0" in text or "[build-system]" in text:
        return "served a file from outside the app"
    if case.expect == "4xx" and not 400 <= status < 500:
        return f"expected 4xx, got {status}"
    if case.expect == "handled" and status not in (200, 204):
        return f"expected a handled 200/204, got {status}"
    return None


def outcome(status: int, text: str) -> str:
    """How a 200 was handled: the notice it shows ('200 notice' for the error notice)."""
    if status != 200:
        return str(status)
    try:
        data = json.loads(text)
    except ValueError:
        return "200 page" if "<html" in text[:500].lower() else "200 not JSON"
    shown = set()
    for section in ("response", "sideUpdate"):
        for component, props in (data.get(section) or {}).items():
            if isinstance(props, dict) and props.get("children") is not None:
                shown.add(component)
    for component, label in (
        ("notice-error", "200 notice"),
        ("upload-message", "200 upload message"),
        ("notice-url", "200 url notice"),
    ):
        if component in shown:
            return label
    return "200"


# --- the run --------------------------------------------------------------------------------


ACTIONS = {
    "preset": 14,
    "layer": 22,
    "date": 12,
    "control": 10,
    "details": 18,
    "compare": 4,
    "lang": 3,
    "export": 8,
    "upload": 2,
    "page": 4,
}


class LoadTest:
    def __init__(self, args: argparse.Namespace, base: str):
        self.args = args
        self.base = base.rstrip("/")
        self.rng = random.Random(args.seed)
        self.stats = Stats()
        self.budget = 0  # requests still to send in this phase
        self.deadline = 0.0
        self.measure = False
        self.model: AppModel | None = None
        self.shared_urls: list[str] = [""]
        self.exports: list[str] = []
        self.bad_index = 0
        self.memory_samples: list[dict[str, Any]] = []

    async def run_phase(
        self, clients: list[httpx.AsyncClient], requests: int, measure: bool
    ) -> float:
        self.budget = requests
        self.measure = measure
        start = time.perf_counter()
        await asyncio.gather(
            *(self.client_loop(client, random.Random(self.rng.random())) for client in clients)
        )
        return time.perf_counter() - start

    def take(self) -> bool:
        if self.budget <= 0 or time.monotonic() > self.deadline:
            return False
        self.budget -= 1
        return True

    async def send(
        self,
        client: httpx.AsyncClient,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = "application/json",
        *,
        force: bool = False,
    ) -> tuple[int, str] | None:
        """One request (counted in the budget unless `force`: a job's polls are not actions)."""
        if not force and not self.take():
            return None
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        start = time.perf_counter()
        try:
            response = await client.request(method, self.base + path, content=body, headers=headers)
            text = response.text
            status = response.status_code
        except httpx.HTTPError as error:
            if self.measure:
                self._count(force)
                self.stats.error(kind, f"{type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - start
        if self.measure:
            self._count(force)
            self.stats.bytes_in += len(response.content)
            self.stats.latencies[kind].append(elapsed)
            self.stats.statuses[kind][status] += 1
        return status, text

    def _count(self, poll: bool) -> None:
        if poll:
            self.stats.job_polls += 1
        else:
            self.stats.requests += 1

    async def call(
        self,
        client: httpx.AsyncClient,
        browser: Browser,
        callback: Callback,
        changed: list[tuple[str, str]],
        kind: str | None = None,
        fired: set[str] | None = None,
    ) -> None:
        """Run one callback as the browser does, then the callbacks its outputs trigger."""
        kind = kind or callback.name
        if fired is not None:
            fired.add(callback.output)
        body = browser.payload(callback, changed)
        answer = await self.send(client, kind, "POST", CALLBACK_PATH, _json(body))
        if answer is None:
            return
        status, text = answer
        if status == 204:  # PreventUpdate
            return
        if status != 200:
            if self.measure:
                self.stats.error(kind, f"status {status}: {text[:200]}")
            return
        try:
            data = orjson.loads(text)
        except ValueError:
            if self.measure:
                self.stats.error(kind, f"not JSON: {text[:200]}")
            return
        if "notice-error" in (data.get("sideUpdate") or {}):
            if self.measure:
                self.stats.error(kind, f"callback raised on a valid request: {text[:300]}")
            return
        if "cacheKey" in data and "job" in data:  # a background job: poll it as the page does
            data = await self.follow_job(client, browser, callback, data, kind)
            if data is None:
                return
        if callback.export and callback.name != "export:image":  # (that one admits the job)
            self.check_export(kind, data)
        self.check_export_message(kind, data)
        changed_now = browser.apply(data)
        view = browser.get("view", "data")
        if (
            ("view", "data") in changed_now
            and isinstance(view, dict)
            and view.get("query")
            and len(self.shared_urls) < 200
        ):
            self.shared_urls.append(view["query"])
        followers = browser.triggered_by(changed_now, callback)
        if followers:
            await asyncio.gather(
                *(self.call(client, browser, cb, hit, None, fired) for cb, hit in followers)
            )

    async def follow_job(
        self,
        client: httpx.AsyncClient,
        browser: Browser,
        callback: Callback,
        handles: dict[str, Any],
        kind: str,
    ) -> dict[str, Any] | None:
        """Poll a background job as dash-renderer does (its body with the values cleared, the
        signed handles in the query) until its result; None when it ends without one."""
        body = browser.payload(callback, [])
        for item in body.get("inputs", []) + body.get("state", []):
            if isinstance(item, dict):
                item["value"] = None
        query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
        deadline = time.monotonic() + self.args.request_timeout * 4
        while time.monotonic() < deadline:
            await asyncio.sleep(EXPORT_POLL_MS / 1000)
            path = CALLBACK_PATH + query
            answer = await self.send(client, f"{kind}:poll", "POST", path, _json(body), force=True)
            if answer is None:
                return None
            status, text = answer
            if status == 204:
                if self.measure:
                    self.stats.error(kind, "the export job ended without a result")
                return None
            data = orjson.loads(text) if status == 200 else {}
            if "response" in data:
                return data
            if status != 200:
                if self.measure:
                    self.stats.error(kind, f"poll status {status}: {text[:200]}")
                return None
        if self.measure:
            self.stats.error(kind, "the export job did not finish")
        return None

    def check_export_message(self, kind: str, data: dict[str, Any]) -> None:
        """The export's message: done, busy (counted, not an error) or failed (an error)."""
        for key, props in (data.get("response") or {}).items():
            if not key.startswith("export-message") or not isinstance(props, dict):
                continue
            text = json.dumps(props.get("children"), ensure_ascii=False)
            if "message-ok" in text or text in ('""', "null"):
                continue
            if "message-warn" in text:  # busy: every export slot was taken
                self.stats.busy += 1
            elif self.measure:
                self.stats.error(kind, f"export failed: {text[:300]}")

    def check_export(self, kind: str, data: dict[str, Any]) -> None:
        for props in (data.get("response") or {}).values():
            download = props.get("data") if isinstance(props, dict) else None
            if not isinstance(download, dict):
                continue
            filename = str(download.get("filename", ""))
            unsafe = "/" in filename or "\\" in filename or filename.startswith(".")
            if unsafe and self.measure:
                self.stats.error(kind, f"unsafe download file name {filename!r}")
            content = download.get("content")
            if not content:
                if self.measure:
                    self.stats.error(kind, "empty download")
                continue
            if filename.endswith(".yaml") and len(self.exports) < 20:
                self.exports.append(content)

    async def page_load(self, client: httpx.AsyncClient, browser: Browser, rng: random.Random):
        """A new page: index, layout, dependencies, then the URL-driven initial callbacks."""
        assert self.model is not None
        search = rng.choice(self.shared_urls)
        for kind, path in (
            ("page:index", "/" + search),
            ("page:layout", "/_dash-layout"),
            ("page:dependencies", "/_dash-dependencies"),
        ):
            answer = await self.send(client, kind, "GET", path, None, None)
            if answer is not None and answer[0] != 200 and self.measure:
                self.stats.error(kind, f"status {answer[0]}")
        browser.reset(search)
        fired: set[str] = set()
        sync = self.model.by_name("sync")
        await self.call(client, browser, sync, [("url-request", "data")], "sync:url", fired)
        # dash-renderer calls every callback once at start-up (after the ones feeding it)
        initial = [
            cb
            for cb in self.model.server_callbacks()
            if not cb.prevent_initial_call and cb.output not in fired
        ]
        await asyncio.gather(*(self.call(client, browser, cb, [], None, fired) for cb in initial))

    async def client_loop(self, client: httpx.AsyncClient, rng: random.Random) -> None:
        assert self.model is not None
        browser = Browser(self.model, rng)
        loaded = False
        names, weights = zip(*ACTIONS.items(), strict=True)
        while self.budget > 0 and time.monotonic() < self.deadline:
            if not loaded:
                await self.page_load(client, browser, rng)
                loaded = True
                continue
            if rng.random() < self.args.bad_share:
                await self.bad(client, browser, rng)
            else:
                action = rng.choices(names, weights)[0]
                if action == "page":
                    loaded = False
                    continue
                await self.act(client, browser, rng, action)
            if self.args.think_ms:
                await asyncio.sleep(rng.expovariate(1000 / self.args.think_ms))

    async def act(
        self, client: httpx.AsyncClient, browser: Browser, rng: random.Random, action: str
    ):
        assert self.model is not None
        sync = self.model.by_name("sync")
        changed: list[tuple[str, str]] = []
        callbacks: list[Callback] | None = None
        if action == "preset":
            presets = browser.options("scenario")
            changed = [browser.set("scenario", "value", rng.choice(presets))]
        elif action == "layer":
            value = list(browser.get("layers", "value") or [])
            layer = rng.choice(browser.options("layers"))
            value = [v for v in value if v != layer] if layer in value else [*value, layer]
            changed = [browser.set("layers", "value", value)]
        elif action == "date":
            start = _random_day(rng)
            end = _random_day(rng)
            start, end = sorted((start, end))
            control, value = rng.choice(
                [("date-from", start), ("date-to", end), ("date-from", None), ("date-to", None)]
            )
            changed = [browser.set(control, "value", value)]
        elif action == "control":
            changed = [self.change_control(browser, rng)]
        elif action == "details":
            rows = browser.row_keys()
            pick = rng.random()
            if rows and pick < 0.55:
                key = rng.choice(rows)
                row_id = {"key": key, "type": "row-focus"}
                clicks = (browser.get(row_id, "n_clicks") or 0) + 1
                changed = [browser.set(row_id, "n_clicks", clicks)]
            elif rows and pick < 0.9:
                item = rng.choice(rows).split(":")[1]
                point = {"curveNumber": 1, "pointNumber": 0, "customdata": [item], "location": item}
                changed = [browser.set("map", "clickData", {"points": [point]})]
            else:
                clicks = (browser.get("details-clear", "n_clicks") or 0) + 1
                changed = [browser.set("details-clear", "n_clicks", clicks)]
        elif action == "compare":
            mode = rng.choice(["side", "diff", "none"])
            changed = [browser.set("compare-mode", "value", mode)]
            presets = browser.options("compare-with")
            if presets:
                changed.append(browser.set("compare-with", "value", rng.choice(presets)))
        elif action == "lang":
            lang = "en" if browser.get("lang", "value") == "ja" else "ja"
            changed = [browser.set("lang", "value", lang)]
        elif action == "export":
            callbacks = [
                c
                for c in self.model.server_callbacks()
                if c.export and c.name != "export:image-job"
            ]  # (the job follows the export button)
            images = [c for c in callbacks if c.name == "export:image"]
            others = [c for c in callbacks if c not in images]
            image = bool(images) and (not others or rng.random() < self.args.image_share)
            callback = rng.choice(images if image else others)
            if image and browser.options("export-format"):
                browser.set("export-format", "value", rng.choice(browser.options("export-format")))
            trigger = next(d for d in callback.inputs if not d.pattern)
            clicks = (browser.get(trigger.id, trigger.prop) or 0) + 1
            changed = [browser.set(trigger.id, trigger.prop, clicks)]
            await self.call(client, browser, callback, changed)
            return
        elif action == "upload":
            if not self.exports:
                return
            text = rng.choice(self.exports)
            browser.set("upload", "filename", "exported.yaml")
            changed = [browser.set("upload", "contents", _upload(text))]
            await self.call(client, browser, sync, changed, "sync:upload")
            return
        fired = browser.triggered_by(set(changed))
        if callbacks is None:
            callbacks = [cb for cb, _ in fired]
        await asyncio.gather(
            *(
                self.call(client, browser, cb, changed, f"sync:{action}" if cb is sync else None)
                for cb in callbacks
            )
        )

    def change_control(self, browser: Browser, rng: random.Random) -> tuple[str, str]:
        control = rng.choice(
            [
                "basis",
                "modality",
                "projection",
                "proposals",
                "directions",
                "domains",
                "groupings",
                "focus",
            ]
        )
        # the country search takes the text of one of its suggestions
        options = browser.suggestions("focus-options") if control == "focus" else []
        options = options or browser.options(control)
        if control in ("basis", "modality", "projection", "focus"):
            value: Any = rng.choice(options) if options else None
        elif control == "proposals":
            value = [] if browser.get("proposals", "value") else options[:1]
        else:
            value = sorted(
                rng.sample(options, rng.randint(0 if control == "groupings" else 1, len(options)))
            )
        return browser.set(control, "value", value)

    async def bad(self, client: httpx.AsyncClient, browser: Browser, rng: random.Random) -> None:
        # (the corpus has megabyte bodies: building it for every malformed request would stall
        # this event loop, and so every latency measured meanwhile)
        browser.bad_cases = browser.bad_cases or bad_requests(browser)
        case = browser.bad_cases[self.bad_index % len(browser.bad_cases)]
        self.bad_index += 1
        answer = await self.send(
            client, f"bad:{case.name}", case.method, case.path, case.body, case.content_type
        )
        if answer is None or not self.measure:
            return
        status, text = answer
        self.stats.bad[case.name][outcome(status, text)] += 1
        problem = judge_bad(case, status, text)
        if problem:
            self.stats.error(f"bad:{case.name}", problem)


def _random_day(rng: random.Random) -> str:
    """A day between 2014 and 2025 (the article's events run from 1949 to 2024)."""
    return date.fromordinal(rng.randint(FIRST_DAY, LAST_DAY)).isoformat()


FIRST_DAY = date(2014, 1, 1).toordinal()
LAST_DAY = date(2025, 12, 31).toordinal()


# --- server, safety, report -----------------------------------------------------------------


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"loadtest: refusing {url!r}: only loopback addresses (127.0.0.0/8, ::1)")


def memory_summary(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    if not before or not after:
        return {}
    pairs = []
    after_by_pid = {w["pid"]: w for w in after["workers"]}
    for worker in before["workers"]:
        later = after_by_pid.get(worker["pid"])
        if later is not None:
            pairs.append((worker, later))
    growth = {}
    for name in ("rss", "pss", "uss"):
        b = before["total"][name]
        a = after["total"][name]
        growth[name] = None if not b or a is None else (a - b) / b
    per_worker = [(a["rss"] - b["rss"]) / b["rss"] for b, a in pairs if b["rss"]]
    return {
        "before": before,
        "after": after,
        "growth": growth,
        "max_worker_rss_growth": max(per_worker) if per_worker else None,
        "restarted_workers": len(before["workers"]) - len(pairs),
    }


def build_report(test: LoadTest, elapsed: float, memory: dict[str, Any], args) -> dict[str, Any]:
    stats = test.stats
    kinds = {}
    for kind, values in sorted(stats.latencies.items()):
        kinds[kind] = {
            "count": len(values),
            "errors": stats.error_count.get(kind, 0),
            "p50_ms": 1000 * percentile(values, 50),
            "p95_ms": 1000 * percentile(values, 95),
            "p99_ms": 1000 * percentile(values, 99),
            "max_ms": 1000 * max(values),
            "statuses": dict(stats.statuses[kind]),
        }
    callback_kinds = [k for k in stats.latencies if not k.startswith(("bad:", "page:", "export"))]
    non_export = [v for k in callback_kinds for v in stats.latencies[k]]
    exports = [v for k, values in stats.latencies.items() if k.startswith("export") for v in values]
    return {
        "base": test.base,
        "clients": args.clients,
        "workers": args.workers if not args.url else None,
        "seed": args.seed,
        "think_ms": args.think_ms,
        "requests": stats.requests,
        "job_polls": stats.job_polls,
        "elapsed_s": elapsed,
        "throughput_rps": (stats.requests + stats.job_polls) / elapsed if elapsed else 0.0,
        "megabytes_in": stats.bytes_in / MB,
        "errors": sum(stats.error_count.values()),
        "error_samples": stats.errors,
        "kinds": kinds,
        "non_export_callbacks": {
            "count": len(non_export),
            "p50_ms": 1000 * percentile(non_export, 50) if non_export else None,
            "p95_ms": 1000 * percentile(non_export, 95) if non_export else None,
            "p99_ms": 1000 * percentile(non_export, 99) if non_export else None,
        },
        "exports": {
            "count": len(exports),
            "p95_ms": 1000 * percentile(exports, 95) if exports else None,
            "busy_answers": stats.busy,
        },
        "bad_requests": {name: dict(counter) for name, counter in sorted(stats.bad.items())},
        "bad_total": sum(sum(c.values()) for c in stats.bad.values()),
        "memory": memory,
        "load_average": os.getloadavg(),
        "client_loop_lag_ms": {
            "p50": 1000 * percentile(stats.loop_lag, 50) if stats.loop_lag else None,
            "p95": 1000 * percentile(stats.loop_lag, 95) if stats.loop_lag else None,
            "max": 1000 * max(stats.loop_lag) if stats.loop_lag else None,
        },
    }


def print_report(report: dict[str, Any], args) -> list[str]:
    """Print the report; return the targets that failed."""
    out = print
    out(f"Alliance Atlas load test against {report['base']}")
    out(
        f"clients {report['clients']}, gunicorn workers {report['workers'] or '?'}, "
        f"seed {report['seed']}, think time {report['think_ms']} ms"
    )
    out(
        f"requests {report['requests']} in {report['elapsed_s']:.1f} s: "
        f"{report['throughput_rps']:.1f} req/s, {report['megabytes_in']:.1f} MB received; "
        f"errors {report['errors']}"
    )
    out("")
    out(
        f"{'kind':32s} {'count':>6s} {'err':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}  statuses"
    )
    for kind, row in report["kinds"].items():
        if kind.startswith("bad:"):
            continue
        statuses = " ".join(f"{s}:{n}" for s, n in sorted(row["statuses"].items()))
        out(
            f"{kind:32s} {row['count']:6d} {row['errors']:4d} {row['p50_ms']:8.1f} "
            f"{row['p95_ms']:8.1f} {row['p99_ms']:8.1f} {row['max_ms']:8.1f}  {statuses}"
        )
    bad_rows = [(k, r) for k, r in report["kinds"].items() if k.startswith("bad:")]
    if bad_rows:
        latencies = [r for _, r in bad_rows]
        out(
            f"{'bad input (all cases)':32s} {sum(r['count'] for r in latencies):6d} "
            f"{sum(r['errors'] for r in latencies):4d} {'':8s} {max(r['p95_ms'] for r in latencies):8.1f} "
            f"{'':8s} {max(r['max_ms'] for r in latencies):8.1f}  (p95/max: worst case)"
        )
    ne = report["non_export_callbacks"]
    if ne["count"]:
        out(
            f"{'ALL non-export callbacks':32s} {ne['count']:6d} {'':4s} {ne['p50_ms']:8.1f} "
            f"{ne['p95_ms']:8.1f} {ne['p99_ms']:8.1f}"
        )
    out(f"exports answered busy (every export slot taken): {report['exports']['busy_answers']}")
    out("")
    out(f"bad-input requests: {report['bad_total']} (case: outcome count)")
    for name, outcomes in report["bad_requests"].items():
        text = ", ".join(f"{o} ×{n}" for o, n in sorted(outcomes.items()))
        out(f"  {name:28s} {text}")
    if report["error_samples"]:
        out("")
        out("first errors:")
        for sample in report["error_samples"]:
            out(f"  {sample[:300]}")
    memory = report["memory"]
    failed = []
    if memory:
        out("")
        out("worker memory (MB)        before: RSS    PSS    USS   after: RSS    PSS    USS")
        after = {w["pid"]: w for w in memory["after"]["workers"]}
        for worker in memory["before"]["workers"]:
            later = after.get(worker["pid"], {"rss": None, "pss": None, "uss": None})
            out(
                f"  worker {worker['pid']:<8d}           "
                f"{megabytes(worker['rss']):>6s} {megabytes(worker['pss']):>6s} {megabytes(worker['uss']):>6s}"
                f"        {megabytes(later['rss']):>6s} {megabytes(later['pss']):>6s} {megabytes(later['uss']):>6s}"
            )
        for label, snap in (("master", "master"),):
            b, a = memory["before"][snap], memory["after"][snap]
            out(
                f"  {label} {b['pid']:<8d}           "
                f"{megabytes(b['rss']):>6s} {megabytes(b['pss']):>6s} {megabytes(b['uss']):>6s}"
                f"        {megabytes(a['rss']):>6s} {megabytes(a['pss']):>6s} {megabytes(a['uss']):>6s}"
            )
        tb, ta = memory["before"]["total"], memory["after"]["total"]
        out(
            f"  workers total             "
            f"{megabytes(tb['rss']):>6s} {megabytes(tb['pss']):>6s} {megabytes(tb['uss']):>6s}"
            f"        {megabytes(ta['rss']):>6s} {megabytes(ta['pss']):>6s} {megabytes(ta['uss']):>6s}"
        )
        hb, ha = memory["before"].get("helpers"), memory["after"].get("helpers")
        if hb and ha:
            out(
                f"  export jobs and their browsers (below the workers' forkservers): "
                f"{hb['count']} processes, PSS {megabytes(hb['pss'])} MB before; "
                f"{ha['count']} processes, PSS {megabytes(ha['pss'])} MB after"
            )
        samples = [
            *memory.get("samples", []),
            {"requests": report["requests"], "rss": ta["rss"], "pss": ta["pss"]},
        ]
        out(
            "  workers total during the run (requests: RSS/PSS MB): "
            + f"0: {megabytes(tb['rss'])}/{megabytes(tb['pss'])}; "
            + "; ".join(
                f"{x['requests']}: {megabytes(x['rss'])}/{megabytes(x['pss'])}" for x in samples
            )
        )
        growth = memory["growth"]
        out(
            "  growth: "
            + ", ".join(f"{k.upper()} {v * 100:+.1f} %" for k, v in growth.items() if v is not None)
            + f"; largest single-worker RSS growth {memory['max_worker_rss_growth'] * 100:+.1f} %"
            + (
                f"; {memory['restarted_workers']} worker(s) restarted"
                if memory["restarted_workers"]
                else ""
            )
        )
        if (
            memory["max_worker_rss_growth"] > args.max_growth
            or (growth["rss"] or 0) > args.max_growth
        ):
            failed.append(f"memory growth over {args.max_growth * 100:.0f} %")
        if memory["restarted_workers"]:
            failed.append("workers restarted during the run")
    out("")
    if report["errors"]:
        failed.append(f"{report['errors']} errors")
    if ne["count"] and ne["p95_ms"] > args.p95_ms:
        failed.append(f"non-export p95 {ne['p95_ms']:.0f} ms > {args.p95_ms:.0f} ms")
    if report["requests"] < args.requests:
        failed.append(f"only {report['requests']} of {args.requests} requests (time cap)")
    if report.get("workers_cpu_s") is not None and report["requests"]:
        cpu = report["workers_cpu_s"]
        out(
            f"workers' CPU during the measured run: {cpu:.1f} s, "
            f"{1000 * cpu / report['requests']:.1f} ms per request (export jobs not included; "
            "less sensitive to a busy machine than the latencies)"
        )
    out(
        f"this client's CPU during the measured run: {report['client_cpu_s']:.1f} s "
        f"({100 * report['client_cpu_s'] / report['elapsed_s']:.0f} % of a core, on the cores the "
        "server has)"
    )
    load = report["load_average"]
    out(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    lag = report["client_loop_lag_ms"]
    if lag["p50"] is not None:
        out(
            f"this client's event loop was late by p50 {lag['p50']:.1f} / p95 {lag['p95']:.1f} / "
            f"max {lag['max']:.0f} ms (included in every latency above)"
        )
    out("targets: " + ("all met" if not failed else "FAILED: " + "; ".join(failed)))
    return failed


async def run(args: argparse.Namespace, base: str, master_pid: int | None) -> dict[str, Any]:
    # The cyclic garbage collector's full passes over the simulated pages stalled this event
    # loop for up to 0.4 s (measured), which would count as server latency; reference counting
    # frees nearly all of this program's garbage, so it runs only between the phases.
    gc.disable()
    try:
        return await _run(args, base, master_pid)
    finally:
        gc.enable()


async def _run(args: argparse.Namespace, base: str, master_pid: int | None) -> dict[str, Any]:
    test = LoadTest(args, base)
    timeout = httpx.Timeout(args.request_timeout)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(limits=BROWSER_LIMITS, timeout=timeout)
            )
            for _ in range(args.clients)
        ]
        dependencies = (await clients[0].get(base + "/_dash-dependencies")).json()
        layout = (await clients[0].get(base + "/_dash-layout")).json()
        test.model = AppModel.from_json(dependencies, layout)
        test.deadline = time.monotonic() + args.max_seconds
        before = None
        start, client_cpu = time.perf_counter(), time.process_time()
        try:
            async with asyncio.timeout(args.max_seconds):
                if args.warmup:
                    await test.run_phase(clients, args.warmup, measure=False)
                gc.collect()  # now, rather than in the middle of the measured requests
                before = tree_memory(master_pid) if master_pid else None
                cpu_before = workers_cpu_seconds(master_pid) if master_pid else {}
                client_cpu = time.process_time()
                start = time.perf_counter()
                sampler = asyncio.create_task(sample_memory(test, master_pid, args.requests))
                lag = asyncio.create_task(sample_loop_lag(test.stats.loop_lag))
                try:
                    await test.run_phase(clients, args.requests, measure=True)
                finally:
                    sampler.cancel()
                    lag.cancel()
        except TimeoutError:
            print(
                f"loadtest: hard time cap of {args.max_seconds} s reached; stopped", file=sys.stderr
            )
        elapsed = time.perf_counter() - start
        client_cpu = time.process_time() - client_cpu
        after = tree_memory(master_pid) if master_pid else None
        cpu_after = workers_cpu_seconds(master_pid) if master_pid else {}
    memory = memory_summary(before, after)
    if memory:
        memory["samples"] = test.memory_samples
    report = build_report(test, elapsed, memory, args)
    # (a worker restarted meanwhile counts from its start)
    used = sum(s - cpu_before.get(pid, 0.0) for pid, s in cpu_after.items())
    report["workers_cpu_s"] = used if cpu_after else None
    report["client_cpu_s"] = client_cpu
    return report


async def sample_loop_lag(lags: list[float], period: float = 0.01) -> None:
    """How late this client's event loop wakes up: any lateness is in every latency measured."""
    while True:
        start = time.perf_counter()
        await asyncio.sleep(period)
        lags.append(max(0.0, time.perf_counter() - start - period))


async def sample_memory(test: LoadTest, master_pid: int | None, total: int) -> None:
    """The workers' total RSS and PSS at each quarter of the measured requests."""
    if not master_pid:
        return
    quarters = [total * q // 4 for q in (1, 2, 3)]
    while quarters:
        if test.stats.requests >= quarters[0]:
            snapshot = tree_memory(master_pid)["total"]
            test.memory_samples.append(
                {"requests": quarters.pop(0), "rss": snapshot["rss"], "pss": snapshot["pss"]}
            )
        await asyncio.sleep(0.2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server on a loopback address (default: start one)")
    parser.add_argument("--server-pid", type=int, help="gunicorn master pid of --url, for memory")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=50, help="simulated browsers (default 50)")
    parser.add_argument(
        "--requests", type=int, default=5000, help="measured requests (default 5000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=1500, help="requests before measuring (default 1500)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=1200, help="hard time cap (default 1200)"
    )
    parser.add_argument("--bad-share", type=float, default=0.05, help="share of malformed requests")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=5000,
        help="mean pause of each person between actions (default 5000; 0: capacity)",
    )
    parser.add_argument(
        "--image-share", type=float, default=0.25, help="share of exports that are images"
    )
    parser.add_argument("--request-timeout", type=float, default=60)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--p95-ms", type=float, default=300, help="target p95, non-export callbacks"
    )
    parser.add_argument("--max-growth", type=float, default=0.10, help="memory growth target")
    parser.add_argument("--json", help="also write the report as JSON to this file")
    parser.add_argument("--log", help="keep the server's log in this file")
    parser.add_argument(
        "--chaos",
        action="store_true",
        help="run the slow adversarial cases instead (scripts/chaos.py: hostile input, "
        "slowloris, export storm, kill -9, SIGTERM, the queue) against issue 17's budgets",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1:
        parser.error("--clients and --requests must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.chaos:
        import chaos  # scripts/chaos.py, beside this file

        return chaos.run_chaos(args)
    with tempfile.TemporaryDirectory(prefix="atlas-loadtest-") as scratch:
        if args.url:
            check_loopback(args.url)
            wait_ready(args.url.rstrip("/") + "/" + READY_PATH)
            report = asyncio.run(run(args, args.url, args.server_pid))
            server_log = None
        else:
            log_path = Path(args.log) if args.log else Path(scratch) / "server.log"
            port = free_port()
            command = gunicorn_command(port, args.workers)
            with local_server(command, port=port, log=log_path) as server:
                wait_for_children(server.process.pid, args.workers)
                base = server.url.rstrip("/")
                report = asyncio.run(run(args, base, server.process.pid))
            server_log = log_path.read_text(errors="replace")
        if server_log is not None:
            report["server_log"] = {
                "callback_exceptions_logged": server_log.count("callback refused"),
                "tracebacks_logged": server_log.count("Traceback (most recent call last)"),
                "worker_timeouts": server_log.count("WORKER TIMEOUT"),
            }
    failed = print_report(report, args)
    if "server_log" in report:
        log = report["server_log"]
        print(
            f"server log: {log['callback_exceptions_logged']} handled callback exceptions "
            f"(from bad input), {log['tracebacks_logged']} tracebacks, "
            f"{log['worker_timeouts']} worker timeouts"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
