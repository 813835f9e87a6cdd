"""The corpus against a running dashboard, as a browser would send it: each hostile scenario file
as an upload (the page's sync callback), each hostile query as the page's address (the sync
callback's URL input, and the index page itself). For tests/adversarial/test_server.py and
`scripts/loadtest.py --chaos`; loopback servers only.

    with corpus_page(base_url) as page:    # the page as it is before the hostile input
        for answer in send_corpus(page, workdir): ...   # one Answer per case and way
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1] / "scripts")]

import loadtest  # noqa: E402  (scripts/loadtest.py: the page model dash-renderer's way)
from corpus import ENTRIES, Case  # noqa: E402

# what the page itself would send of an upload: dcc.Upload refuses files over its max_size, and
# the server's request limit (1 MiB) refuses larger bodies anyway (413, tested elsewhere)
UPLOADS = ENTRIES["upload"]
QUERIES = ENTRIES["query"]
# gunicorn refuses a request line over 4 KB itself (414): a longer address never reaches the app
LONGEST_REQUEST_LINE = 4094


@dataclass(frozen=True)
class Answer:
    """What the server answered one hostile input: status, seconds, the message the page shows."""

    case: str
    way: str  # upload | address (the sync callback) | index (GET /?query)
    status: int
    seconds: float
    message: str
    expect: str


def message_text(component: Any) -> str:
    """The text of a message component's JSON, its items joined by ' | '."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " | ".join(filter(None, (message_text(c) for c in component)))
    if isinstance(component, dict):
        return message_text(component.get("props", {}).get("children"))
    return ""


class Page:
    """One simulated page of the server at `base` (its callback map and layout, read once)."""

    def __init__(self, client: httpx.Client):
        self.client = client
        self.model = loadtest.AppModel.from_json(
            client.get("/_dash-dependencies").json(), client.get("/_dash-layout").json()
        )

    def sync(self, search: str, upload: tuple[str, bytes] | None = None) -> tuple[int, Any, float]:
        """The page's sync callback for the URL `search` (and an upload): (status, JSON, s)."""
        browser = loadtest.Browser(self.model, random.Random(1))
        browser.reset("")
        browser.set("url", "search", search)
        changed = [browser.set("url-request", "data", search)]  # as the page hands it on
        if upload is not None:
            name, raw = upload
            browser.set("upload", "filename", name)
            contents = "data:application/x-yaml;base64," + base64.b64encode(raw).decode()
            changed = [browser.set("upload", "contents", contents)]
        body = json.dumps(browser.payload(self.model.by_name("sync"), changed)).encode()
        started = time.perf_counter()
        response = self.client.post(
            "/_dash-update-component", content=body, headers={"Content-Type": "application/json"}
        )
        seconds = time.perf_counter() - started
        answer = response.json() if response.status_code == 200 else response.text.strip()
        return response.status_code, answer, seconds


def _shown(answer: Any, component: str) -> str:
    if isinstance(answer, str):  # the server's own plain answer (413: over the request limit)
        return answer
    response = (answer or {}).get("response") or {}
    return message_text((response.get(component) or {}).get("children"))


@contextlib.contextmanager
def corpus_page(base: str) -> Iterator[Page]:
    """A page of the server at `base` that has shown a preset, as it is before the hostile input
    (on one kept-alive connection: the worker that served it serves the corpus)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        page = Page(client)
        page.sync("?scenario=threats_360")
        yield page


def send_corpus(page: Page, workdir: Path) -> Iterator[Answer]:
    """Every upload and query case of the corpus, sent by `page`."""
    for case in UPLOADS:
        raw = case.make(workdir).read_bytes()
        status, answer, seconds = page.sync("", (f"{case.name}.yaml", raw))
        yield Answer(
            case.name, "upload", status, seconds, _shown(answer, "upload-message"), case.expect
        )
    for case in QUERIES:
        query = case.make(workdir).read_text()
        status, answer, seconds = page.sync("?" + query)
        yield Answer(
            case.name, "address", status, seconds, _shown(answer, "notice-url"), case.expect
        )
        yield _index(page.client, case, query)


def _index(client: httpx.Client, case: Case, query: str) -> Answer:
    """GET /?query on a socket of its own (httpx refuses URLs over 64 KB): the index page for a
    short address, gunicorn's own 414 for a longer one."""
    url = httpx.URL(str(client.base_url))
    request = f"GET /?{query} HTTP/1.1\r\nHost: {url.host}\r\nConnection: close\r\n\r\n"
    started = time.perf_counter()
    with socket.create_connection((url.host, url.port), timeout=60) as sock:
        with contextlib.suppress(OSError):  # a server that answers early may reset the rest
            sock.sendall(request.encode())
        head = sock.recv(65536).decode("latin-1")
    seconds = time.perf_counter() - started
    status = int(head.split(" ", 2)[1]) if head.startswith("HTTP/") else 0
    return Answer(case.name, "index", status, seconds, head[:300], "")
