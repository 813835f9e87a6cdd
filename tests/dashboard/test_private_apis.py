"""The private APIs of dash, plotly and kaleido the code relies on are still there.

pyproject.toml caps those packages below their next minor version; when a cap is raised, these
tests say at once which of the code's assumptions broke (rather than a blank map, a map drawn
again per image, or a layout without its first figure). plotly.js's `gd._fullLayout`, read by
assets/atlas.js, is checked in the page by tests/dashboard/test_browser.py.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import dash
import kaleido
import plotly
import plotly.graph_objects as go
from dash._utils import to_json

from dashboard.app import PRELOADED_SCRIPTS, AtlasDash
from dashboard.components import element
from dashboard.export.environment import PLOTLY_JS
from dashboard.export.session import BatchKaleido


def test_dash_routes_the_layout_request_to_serve_layout(app):
    """AtlasDash.serve_layout puts the first map into the layout response: Dash must still
    answer `_dash-layout` with the app's serve_layout, and have get_layout and to_json."""
    layout_views = [
        view for rule, view in app.server.view_functions.items() if rule.endswith("_dash-layout")
    ]
    assert [getattr(view, "__func__", None) for view in layout_views] == [AtlasDash.serve_layout]
    assert list(inspect.signature(dash.Dash.serve_layout).parameters) == ["self"]
    assert callable(dash.Dash.get_layout)
    assert json.loads(to_json({"a": [1]})) == {"a": [1]}


def test_dash_serves_the_preloaded_scripts_from_its_packages():
    """The page preloads plotly.js and dcc's Graph chunk by the URLs dash serves them at."""
    roots = {"dash": Path(dash.__file__).parent, "plotly": Path(plotly.__file__).parent}
    for path in PRELOADED_SCRIPTS:
        package, _, inner = path.removeprefix("_dash-component-suites/").partition("/")
        assert (roots[package] / inner).is_file(), path
    assert PLOTLY_JS.is_file()


def test_the_tables_rows_are_the_json_dash_sends_for_its_components():
    """components.element writes the JSON of html components (the table's rows) by hand: it is
    what Dash's own classes give, for every tag and kind of prop the rows use."""
    cases = [
        ("Td", "text", {"className": "col-kind"}),
        ("Td", "", {"className": "col-date"}),
        (
            "Button",
            "NATO",
            {
                "id": {"type": "row-focus", "key": "grouping:nato"},
                "n_clicks": 0,
                "className": "link-button",
                "type": "button",
            },
        ),
        ("Li", "Events", {"className": "layer-tag layer-events"}),
        ("Ul", [], {"className": "layer-tags"}),
        ("Tr", [], {"className": "row-region layered layer-threats"}),
        ("Th", "x", {"scope": "row", "className": "col-name", "lang": None}),
    ]
    for tag, children, props in cases:
        expected = json.loads(to_json(getattr(dash.html, tag)(children, **props)))
        assert element(tag, children, **props) == expected, tag
    nested = dash.html.Th(dash.html.Button("a", n_clicks=0), scope="row")
    assert element("Th", element("Button", "a", n_clicks=0), scope="row") == json.loads(
        to_json(nested)
    )


def test_plotly_builds_a_figure_without_validating_and_validates_after():
    """dashboard.figures builds figures with _validate=False and sets _validate back on."""
    figure = go.Figure(data=[{"type": "scattergeo", "lon": [1]}], layout={}, _validate=False)
    assert figure._validate is False and figure.data[0]._validate is False
    for part in (figure, figure.layout, *figure.data):
        part._validate = True
    try:
        figure.data[0].marker.size = "not a size"
    except ValueError:
        pass
    else:
        raise AssertionError("a figure whose _validate is back on accepted a bad value")


def test_kaleido_hands_tabs_back_through_the_method_batchkaleido_overrides():
    """BatchKaleido overrides Kaleido._return_kaleido_tab and reads `_n` and `tabs_ready`."""
    method = kaleido.Kaleido._return_kaleido_tab
    assert inspect.iscoroutinefunction(method)
    assert list(inspect.signature(method).parameters) == ["self", "tab"]
    assert BatchKaleido._return_kaleido_tab is not method
    source = inspect.getsource(kaleido.Kaleido)
    assert "await self._return_kaleido_tab(tab)" in source
    constructor = inspect.getsource(kaleido.Kaleido.__init__)
    assert "self._n = n" in constructor
    assert "self.tabs_ready = asyncio.Queue(" in constructor


def test_kaleido_tabs_call_the_context_and_reload_that_ensure_page_scripts_uses():
    """ensure_page_scripts reads a kaleido tab's `tab` and `_current_js_id` (the context every
    image is drawn in) and awaits its `reload()`, which sets that context again; BatchKaleido.open
    takes the opened tabs from `tabs_ready` after Kaleido.open."""
    from kaleido._kaleido_tab._tab import _KaleidoTab

    assert inspect.iscoroutinefunction(_KaleidoTab.reload)
    assert list(inspect.signature(_KaleidoTab.reload).parameters) == ["self"]
    assert "self._current_js_id = " in inspect.getsource(_KaleidoTab.reload)
    assert "self._current_js_id," in inspect.getsource(_KaleidoTab._calc_fig)
    assert "self.tab = tab" in inspect.getsource(_KaleidoTab.__init__)
    assert "await self.tabs_ready.put(ktab)" in inspect.getsource(kaleido.Kaleido)
    assert inspect.iscoroutinefunction(kaleido.Kaleido.open)


def test_gunicorn_writes_its_error_answers_through_the_function_production_replaces():
    """production.install_error_writer replaces gunicorn.util.write_error, which the workers
    look up at the time of each error (tests/adversarial/test_server.py checks the answers)."""
    import gunicorn.util
    import gunicorn.workers.base

    source = inspect.getsource(gunicorn.workers.base.Worker.handle_error)
    assert "util.write_error(client, status_int, reason, mesg)" in source
    assert list(inspect.signature(gunicorn.util.write_error).parameters) == [
        "sock",
        "status_int",
        "reason",
        "mesg",
    ]
    assert callable(gunicorn.util.write_nonblock)


def test_gunicorns_master_queues_the_signals_a_new_worker_inherits_before_post_fork():
    """production.stop_signals_as_default reads a stop the worker got before post_fork from
    the master's queue (`SIG_QUEUE`, a queue.SimpleQueue the master's handler puts it in), and
    gunicorn calls post_fork with the master in the forked worker."""
    import gunicorn.arbiter

    assert "self.SIG_QUEUE.put_nowait(sig)" in inspect.getsource(gunicorn.arbiter.Arbiter.signal)
    assert "self.SIG_QUEUE = queue.SimpleQueue()" in inspect.getsource(
        gunicorn.arbiter.Arbiter.__init__
    )
    spawn = inspect.getsource(gunicorn.arbiter.Arbiter.spawn_worker)
    assert spawn.index("os.fork()") < spawn.index("self.cfg.post_fork(self, worker)")


def test_dash_starts_background_jobs_through_the_methods_the_job_managers_override():
    """dashboard.jobs' managers override call_job_fn, terminate_job and job_running, and pass
    the manager's `_make_progress_key` to the job; Dash must still call them so."""
    from dash import _callback
    from dash.background_callback.managers import BaseBackgroundCallbackManager

    source = inspect.getsource(_callback)
    assert "callback_manager.call_job_fn(" in source
    assert "callback_manager.job_running(job_id)" in source
    assert "callback_manager.terminate_job(job)" in source
    assert callable(BaseBackgroundCallbackManager._make_progress_key)


def test_logging_skips_its_handler_clean_up_when_its_handler_list_is_empty():
    """production._quiet_exit empties logging._handlerList so that the handlers' clean-up at
    shutdown takes no lock (a gevent worker's lock fails then)."""
    import logging

    assert isinstance(logging._handlerList, list)
    source = inspect.getsource(logging._removeHandlerRef)
    assert "if acquire and release and handlers:" in source
