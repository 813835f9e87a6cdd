"""The export button as dash-renderer drives it: the quick callback that admits an export (or
answers busy), then the background job's callback, polled until its result is in.

    page = ExportPage(post)            # post(path, body) -> (status, JSON or None)
    outcome = page.export(view, "png")
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CALLBACK = "/_dash-update-component"
GATE_OUTPUT = "..export-request.data...export-message.children.."
POLL_S = 0.2


@dataclass
class Outcome:
    """What the page ends with: the download (or None), the message's text, the progress
    texts it showed, and the job's handles (for a second server or a cancel)."""

    download: dict[str, Any] | None
    message: str
    progress: list[str] = field(default_factory=list)
    busy: bool = False
    job: dict[str, Any] | None = None


def text_of(component: Any) -> str:
    """The text of a Dash component's JSON (a message), depth first."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(filter(None, (text_of(c) for c in component)))
    if isinstance(component, dict):
        return text_of(component.get("props", {}).get("children"))
    return ""


class ExportPage:
    """The export control of one page load, over `post(path, body) -> (status, json)`;
    `poll_post` polls through another server (a second dashboard process) when given."""

    def __init__(
        self,
        post: Callable[[str, dict], tuple[int, Any]],
        dependencies: list[dict[str, Any]],
        poll_post: Callable[[str, dict], tuple[int, Any]] | None = None,
    ):
        self.post = post
        self.poll_post = poll_post or post
        self.job_spec = next(
            d for d in dependencies if d["inputs"] == [{"id": "export-request", "property": "data"}]
        )

    def admit(self, view: dict[str, Any], fmt: str, clicks: int = 1) -> tuple[Any, str]:
        """(the admitted request or None, the message under the button)."""
        body = {
            "output": GATE_OUTPUT,
            "outputs": [
                {"id": "export-request", "property": "data"},
                {"id": "export-message", "property": "children"},
            ],
            "inputs": [{"id": "export", "property": "n_clicks", "value": clicks}],
            "state": [
                {"id": "view", "property": "data", "value": view},
                {"id": "export-format", "property": "value", "value": fmt},
            ],
            "changedPropIds": ["export.n_clicks"],
        }
        status, answer = self.post(CALLBACK, body)
        assert status == 200, (status, answer)
        response = answer["response"]
        request = response.get("export-request", {}).get("data")
        return request, text_of(response.get("export-message", {}).get("children"))

    def job_body(self, request: Any) -> dict[str, Any]:
        outputs = [
            dict(zip(("id", "property"), part.split(".", 1), strict=True))
            for part in self.job_spec["output"].strip(".").split("...")
        ]
        return {
            "output": self.job_spec["output"],
            "outputs": outputs,
            "inputs": [{"id": "export-request", "property": "data", "value": request}],
            "changedPropIds": ["export-request.data"],
        }

    def start(self, request: Any) -> dict[str, Any]:
        """Start the admitted export's job: its handles ({"cacheKey", "job", ...})."""
        status, handles = self.post(CALLBACK, self.job_body(request))
        assert status == 200 and "job" in handles, (status, handles)
        return handles

    def wait(self, request: Any, handles: dict[str, Any], timeout: float = 180.0) -> Outcome:
        """Poll as the renderer does (the same body with its values cleared) until the result."""
        body = copy.deepcopy(self.job_body(request))
        for item in body["inputs"]:
            item["value"] = None
        query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
        progress: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(POLL_S)
            status, answer = self.poll_post(CALLBACK + query, body)
            if status == 204:
                return Outcome(None, "", progress, job=handles)
            assert status == 200, (status, answer)
            for value in (answer.get("progress") or {}).values():
                step = isinstance(value, str) and value and not value.isdigit()
                if step and (not progress or progress[-1] != value):
                    progress.append(value)
            if "response" in answer:
                response = answer["response"]
                download = (response.get("export-download") or {}).get("data")
                message = text_of((response.get("export-message") or {}).get("children"))
                return Outcome(download, message, progress, job=handles)
        raise AssertionError(f"no result in {timeout:.0f} s (progress: {progress})")

    def cancel(self, handles: dict[str, Any]) -> int:
        """Press Cancel: the renderer's cancel request for the job."""
        body = {
            "output": "export-cancel.id",
            "outputs": {"id": "export-cancel", "property": "id"},
            "inputs": [{"id": "export-cancel", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["export-cancel.n_clicks"],
        }
        status, _ = self.post(f"{CALLBACK}?cancelJob={handles['job']}", body)
        return status

    def export(self, view: dict[str, Any], fmt: str, timeout: float = 180.0) -> Outcome:
        """Press Export and wait for what the page ends with."""
        request, message = self.admit(view, fmt)
        if request is None:
            return Outcome(None, message, busy=True)
        return self.wait(request, self.start(request), timeout)
