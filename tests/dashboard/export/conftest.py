"""Shared by the export tests."""

from __future__ import annotations

import pytest

from dashboard.export import session as export_session


@pytest.fixture(scope="module")
def session():
    """One browser for the module, also used by `render()` and the CLI through shared_session."""
    shared = export_session.shared_session()
    shared.start()
    yield shared
    export_session.close_shared_session()
