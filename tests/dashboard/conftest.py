"""Shared by the real-browser tests of the dashboard: `duo`, dash's DashComposite in headless
Chromium with Chrome's performance log on (every request the page makes is recorded)."""

from __future__ import annotations

import pytest
from browser import headless_dash


@pytest.fixture
def duo(dash_thread_server, tmp_path):
    with headless_dash(
        dash_thread_server,
        tmp_path / "download",
        arguments=("--window-size=1600,1200", "--lang=ja"),
        wait_timeout=20,
    ) as composite:
        # every [url, post body, encoded response length, request id, status] seen
        composite.requests = []
        composite.pending = {}
        yield composite
