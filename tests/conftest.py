"""Shared fixtures: the bundled atlas, the raw knowledge YAML and the article parsed by hand.

The article is split here without geodata.article, so the citation tests do not depend on
the parser they help to check.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass

import pytest
import yaml
from locations import ARTICLE_PATH, KNOWLEDGE_DIR

from dashboard.app import create_app
from geodata.atlas import load_atlas
from geodata.scenario import load_presets

# The collector's young generation is collected after this many new objects (Python's default:
# 700). The tests make millions of short-lived objects (plotly figures, hypothesis examples) beside
# a large heap that lives as long as the process (pandas, plotly, dash, the atlas): collections
# took 10.5 s of the fast suite's 87 s of CPU, 3 s with this threshold and the modules frozen
GC_THRESHOLDS = (10_000, 20, 20)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every module is imported: what exists now lives as long as the process, so the collector
    stops walking it (as the production server does before its workers fork), and it runs less
    often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@dataclass(frozen=True)
class ArticleText:
    """Body paragraphs P1… (index 0 is P1) and footnotes by number."""

    paragraphs: list[str]
    footnotes: dict[int, str]
    lines: list[str]


def _split_article(text: str) -> ArticleText:
    lines = [line.strip() for line in text.splitlines()]
    date_index = lines.index("(2024/08/13)")
    paragraphs = [line for line in lines[:date_index] if line.endswith("。")]
    footnotes: dict[int, str] = {}
    for line in lines[lines.index("脚注") + 1 :]:
        match = re.fullmatch(r"(\d+)\.\s+(\d+)\s+(.*)", line)
        if match and match[1] == match[2]:
            footnotes[int(match[1])] = match[3]
    return ArticleText(paragraphs, footnotes, lines)


@pytest.fixture(scope="session")
def article_text() -> ArticleText:
    return _split_article(ARTICLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def raw_knowledge() -> dict[str, dict]:
    """Every knowledge file as plain yaml.safe_load data, keyed by file name."""
    return {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(KNOWLEDGE_DIR.glob("*.yaml"))
    }


@pytest.fixture(scope="session")
def atlas():
    return load_atlas()


@pytest.fixture(scope="session")
def presets():
    return load_presets()


@pytest.fixture(scope="session")
def app(atlas, presets):
    """The dashboard (Japanese by default) on the bundled atlas, with its security headers and
    request guards, shared by the tests that do not change it."""
    return create_app(lang="ja", atlas=atlas, presets=presets)


@pytest.fixture(scope="session")
def client(app):
    """A Flask test client of the shared app."""
    return app.server.test_client()


@pytest.fixture(scope="session")
def service(app):
    """The shared app's view service (its caches are shared with the HTTP tests)."""
    return app.view_service
