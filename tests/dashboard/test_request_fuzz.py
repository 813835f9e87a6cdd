"""Fuzzing (hypothesis) the app: the URL it writes reads back as the same view, and the callback
endpoint (Flask test client, and one real gunicorn run) answers any body with a 4xx or a handled
200/204: never a 5xx, never a traceback; the server stays up and valid requests still succeed.

Run with --hypothesis-show-statistics for the number of cases each property tried.
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serving import load_loadtest, page_model, running_gunicorn
from strategies import any_char, json_values, nasty_text, valid_scenarios

from dashboard import processes
from dashboard.security import CALLBACK_PATH
from dashboard.service.views import Views
from geodata.scenario import MAX_QUERY_CHARS, Scenario

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
FUZZ_HTTP = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "__debugger__", 'File "/')
HANDLED = {200, 204}
REFUSED = {400, 404, 405, 413, 415}


# --- the URL the app writes ------------------------------------------------------------------


@FUZZ
@given(valid_scenarios(atlas_ids=True))
def test_the_app_reads_back_the_url_it_writes(views, scenario):
    """Through the app's own parse/format (which also checks ids against the atlas)."""
    back, notices = views.parse_search(views.query_of(scenario))
    assert notices == []
    assert back == scenario


def test_an_address_over_the_length_limit_is_ignored_whole_its_language_too(atlas, presets):
    """On an English page, a too-long address that asks for Japanese shows the page's own
    language (nothing of it is read: it is not even split into its parameters)."""
    views = Views(atlas, presets, "en")
    query = "?lang=ja&" + "x=1&" * (MAX_QUERY_CHARS // 4)
    scenario, notices = views.parse_search(query)
    assert scenario == Scenario(lang="en")
    assert len(notices) == 1 and notices[0].startswith("ignored the whole query")


# --- the callback endpoint: Flask test client -------------------------------------------------


@pytest.fixture(scope="module")
def views(app):
    return app.view_service.views


@pytest.fixture(scope="module")
def real_bodies(client):
    """Real request bodies of every server callback, from a simulated page that has drawn its
    table (so the row buttons exist), plus the page itself."""
    loadtest, model = page_model(lambda path: client.get(path).get_json())
    browser = loadtest.Browser(model, random.Random(1))
    browser.reset("?scenario=threats_360&focus=RUS")
    pending = [(model.by_name("sync"), [("url-request", "data")])]
    while pending:
        callback, changed = pending.pop(0)
        response = client.post(CALLBACK_PATH, json=browser.payload(callback, changed))
        if response.status_code == 200:
            pending += browser.triggered_by(browser.apply(response.get_json()), callback)
    bodies = []
    for callback in model.server_callbacks():
        changed = [(d.id, d.prop) for d in callback.inputs if not d.pattern][:1]
        bodies.append(browser.payload(callback, changed))
    rows = browser.row_keys()
    assert rows
    row = {"key": rows[0], "type": "row-focus"}
    bodies.append(browser.payload(model.by_name("sync"), [browser.set(row, "n_clicks", 1)]))
    return bodies, browser


def _check(status: int, text: str, allowed=HANDLED | REFUSED) -> None:
    assert status in allowed, (status, text[:300])
    assert not any(m in text for m in TRACEBACK_MARKERS), text[:500]
    if status == 200:
        json.loads(text)


# mutated()'s parts, made once: how a body is changed (a value most often), and what goes in
_MUTATIONS = st.sampled_from(
    ["value"] * 3 + ["id", "property", "output", "changed", "drop", "add", "outputs", "entry"]
)
_OUTPUTS = st.one_of(nasty_text, json_values)
_CHANGED = st.lists(nasty_text, max_size=3) | json_values


@st.composite
def mutated(draw, bodies):
    body = json.loads(json.dumps(draw(st.sampled_from(bodies))))
    how = draw(_MUTATIONS)
    entries = [
        (section, i)
        for section in ("inputs", "state")
        for i, e in enumerate(body.get(section, []))
        if isinstance(e, dict)
    ]
    if how in ("value", "id", "property", "entry") and entries:
        section, i = draw(st.sampled_from(entries))
        entry = body[section][i]
        if how == "value":
            entry["value"] = draw(json_values)
        elif how == "id":
            entry["id"] = draw(json_values)
        elif how == "property":
            entry["property"] = draw(nasty_text)
        else:
            body[section][i] = draw(json_values)
    elif how == "output":
        body["output"] = draw(_OUTPUTS)
    elif how == "outputs":
        body["outputs"] = draw(json_values)
    elif how == "changed":
        body["changedPropIds"] = draw(_CHANGED)
    elif how == "drop":
        body.pop(draw(st.sampled_from(sorted(body))), None)
    else:
        body[draw(nasty_text)] = draw(json_values)
    return body


def test_the_real_bodies_are_answered(client, real_bodies):
    bodies, _ = real_bodies
    for body in bodies:
        response = client.post(CALLBACK_PATH, json=body)
        assert response.status_code in HANDLED, body["output"]


@FUZZ_HTTP
@given(data=st.data())
def test_mutated_callback_bodies_get_a_4xx_or_a_handled_answer(client, real_bodies, data):
    body = data.draw(mutated(real_bodies[0]))
    response = client.post(CALLBACK_PATH, data=json.dumps(body), content_type="application/json")
    _check(response.status_code, response.get_data(as_text=True))


@FUZZ_HTTP
@given(
    st.binary(max_size=2000)
    | st.text(any_char, max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_arbitrary_bytes_get_a_4xx(client, raw):
    response = client.post(CALLBACK_PATH, data=raw, content_type="application/json")
    _check(response.status_code, response.get_data(as_text=True), REFUSED | HANDLED)
    assert response.status_code in REFUSED


@FUZZ_HTTP
@given(path=st.text(any_char, max_size=80), method=st.sampled_from(["GET", "POST", "HEAD", "PUT"]))
def test_arbitrary_paths_get_no_5xx(client, path, method):
    raw = path.encode("utf-8", "surrogatepass")
    # a leading "//" would make the test client read a host name, not a path
    response = client.open("/" + quote(raw, safe="/%?&=.~").lstrip("/"), method=method)
    assert response.status_code < 500
    text = response.get_data(as_text=True)
    assert not any(m in text for m in TRACEBACK_MARKERS)
    assert "root:x:0:0" not in text


def test_every_input_survives_a_one_megabyte_string(client, real_bodies):
    """1 MB (under the 1 MiB limit, so it reaches the callbacks) in every input and state."""
    huge = "界" * 10 + "x" * 1_000_000
    bodies, _ = real_bodies
    count = 0
    for body in bodies:
        for section in ("inputs", "state"):
            for i, entry in enumerate(body.get(section, [])):
                if not isinstance(entry, dict):
                    continue
                changed = json.loads(json.dumps(body))
                changed[section][i]["value"] = huge
                response = client.post(CALLBACK_PATH, json=changed)
                _check(response.status_code, response.get_data(as_text=True))
                count += 1
    assert count > 30
    response = client.post(CALLBACK_PATH, json=bodies[0])
    assert response.status_code in HANDLED


def test_the_bad_request_corpus(client, real_bodies):
    """Every case of scripts/loadtest.py's corpus (malformed JSON, wrong types, 1-2 MB strings,
    unknown ids, control characters, path-like names, unknown scenarios, bad uploads)."""
    loadtest = load_loadtest()
    _, browser = real_bodies
    cases = loadtest.bad_requests(browser)
    assert len(cases) >= 40
    outcomes = {}
    for case in cases:
        response = client.open(
            case.path, method=case.method, data=case.body, content_type=case.content_type
        )
        text = response.get_data(as_text=True)
        assert loadtest.judge_bad(case, response.status_code, text) is None, (case.name, text[:300])
        outcomes[case.name] = loadtest.outcome(response.status_code, text)
    # the ones the user can cause get a message on the page, not silence
    for name in ("upload-not-utf8", "upload-python-tag", "upload-too-big", "upload-yaml-syntax"):
        assert outcomes[name] == "200 upload message", (name, outcomes[name])
    assert outcomes["unknown-scenario-url"] == "200 url notice"
    assert outcomes["huge-body-2MB"] == "413"
    bodies, _ = real_bodies
    assert client.post(CALLBACK_PATH, json=bodies[0]).status_code in HANDLED


# --- one real gunicorn run ------------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    log = tmp_path_factory.mktemp("fuzz-gunicorn") / "server.log"
    with (
        running_gunicorn(log, 2) as (base, process, workers),
        httpx.Client(base_url=base, timeout=60) as http,
    ):
        yield http, process, workers, log


@pytest.mark.server
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_gunicorn_answers_mutated_bodies_without_5xx(gunicorn, real_bodies, data):
    http, process, _workers, _log = gunicorn
    body = data.draw(mutated(real_bodies[0]))
    response = http.post(
        CALLBACK_PATH, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    _check(response.status_code, response.text)
    assert process.poll() is None


@pytest.mark.server
def test_gunicorn_survives_the_corpus_and_still_serves(gunicorn, real_bodies):
    http, process, workers, log = gunicorn
    loadtest = load_loadtest()
    bodies, browser = real_bodies
    for case in loadtest.bad_requests(browser):
        headers = {"Content-Type": case.content_type} if case.content_type else {}
        response = http.request(case.method, case.path, content=case.body, headers=headers)
        assert loadtest.judge_bad(case, response.status_code, response.text) is None, case.name
    huge = json.loads(json.dumps(bodies[0]))
    huge["inputs"][0]["value"] = "?" + "q" * 1_000_000
    response = http.post(CALLBACK_PATH, json=huge)
    _check(response.status_code, response.text)
    assert process.poll() is None
    assert processes.children(process.pid) == workers  # no worker died or was replaced
    for body in bodies:
        assert http.post(CALLBACK_PATH, json=body).status_code in HANDLED
    assert http.get("/").status_code == 200
    text = log.read_text(errors="replace")
    assert "WORKER TIMEOUT" not in text and "Worker exiting" not in text
