"""The dashboard's image export as a background job, so that no request waits for a browser.

    manager = embedded_jobs()                   # one machine: job processes, results on disk
    manager = queued_jobs("redis://host:6379/0")  # a team: Celery workers, results in Redis

Both are Dash background-callback managers (`DiskcacheManager`, `CeleryManager`) with what
serving many users needs (see README, "Exports as background jobs"):

- **Export slots.** At most `slots` exports run at once (per server when embedded, per Redis when
  queued). The export button's quick callback asks `ExportSlots.admit` for a slot before any job
  starts and answers "busy, try again in a moment" when there is none; the manager starts a job
  only for a token the slots admitted (`start`), once, so a request forged past the button
  starts nothing. A slot is free again when its job ends, is cancelled or dies, or its lease
  runs out.
- **A clean job process.** Embedded jobs are forked by a forkserver (a fresh, small process), not
  by the web worker: a fork of a gevent worker hangs, and a fork of a threaded one can inherit a
  held lock. The job is `export_job`, a module-level function of (view, format) that loads the
  atlas itself, so that what is sent to the forkserver is a few KB.
- **Job handles that stay true.** An embedded job's handle is "pid:start time", so a cancel never
  kills a process that merely reuses an old job's pid, and the kill holds no lock and survives a
  job that has just exited. Results live in a sharded cache with a real lock timeout (one
  shared cache lost results to lock timeouts under 30 concurrent exports).
- **No idle browser.** An embedded job's browser ends with its job. A Celery worker process keeps
  its browser between jobs and closes it after `BROWSER_IDLE_S` without one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import diskcache
import psutil
from dash import CeleryManager, DiskcacheManager, dcc, no_update

from dashboard import components
from dashboard.export.errors import ExportError
from dashboard.export.formats import FORMATS
from dashboard.i18n import t
from dashboard.layout import EXPORT_STEPS
from dashboard.processes import run_in_background
from dashboard.service.models import Message

EXPORT_SIZE = (1920, 1080)
EXPORT_SLOTS = 2  # one export browser each (~300 MB and a core while it renders)
# a slot admitted for a job that never starts frees then (the page starts it within milliseconds;
# short, so that pages that never start their jobs cannot keep the slots for long)
ADMIT_LEASE_S = 10
JOB_LEASE_S = 600  # the longest a job may hold a slot (it renders within RENDER_TIMEOUT_S)
RESULT_EXPIRE_S = 600  # a result nobody fetched is dropped then
QUEUE_WAIT_S = 300  # a queued job no worker has taken by then is given up (the page stops)
BROWSER_IDLE_S = 60.0  # a Celery worker process closes its export browser after this idle time
SLOTS_KEY = "alliance-atlas-export-slots"
SECRET_KEY = "alliance-atlas-signing-secret"
PR_SET_PDEATHSIG = 1  # prctl(2)


# --- export slots -----------------------------------------------------------------------------


class ExportSlots:
    """At most `limit` exports at once among every process that shares the store.

    The table maps a token to {"job": handle or None, "until": expiry}. `update(change)` applies
    `change(table) -> (new table, result)` atomically in the store; `running(job)` tells whether
    a job handle still runs (an ended, cancelled or dead job frees its slot at once).
    """

    def __init__(
        self,
        limit: int,
        update: Callable[[Callable[[dict], tuple[dict, Any]]], Any],
        running: Callable[[str], bool],
    ):
        if limit < 1:
            raise ValueError(f"export slots must be at least 1, not {limit}")
        self.limit = limit
        self._update = update
        self._running = running

    def _live(self, table: dict) -> dict:
        now = time.time()
        return {
            token: slot
            for token, slot in table.items()
            if slot["until"] > now and (slot["job"] is None or self._running(slot["job"]))
        }

    def admit(self) -> str | None:
        """A token for one new export, or None when every slot is taken."""

        def change(table: dict) -> tuple[dict, str | None]:
            table = self._live(table)
            if len(table) >= self.limit:
                return table, None
            token = uuid.uuid4().hex
            return {**table, token: {"job": None, "until": time.time() + ADMIT_LEASE_S}}, token

        return self._update(change)

    def start(self, token: Any, job: Callable[[], str]) -> str | None:
        """Start the job of an admitted token (once): `job()` starts it and gives its handle.
        None, and nothing started, for a token that was not admitted or has started already."""

        def change(table: dict) -> tuple[dict, bool]:
            slot = table.get(token) if isinstance(token, str) else None
            if slot is None or slot["job"] is not None or slot["until"] <= time.time():
                return table, False
            return {**table, token: {"job": "starting", "until": time.time() + JOB_LEASE_S}}, True

        if not self._update(change):
            return None
        try:
            handle = job()
        except BaseException:
            self.release(token)
            raise
        self._update(lambda table: (_with_job(table, token, handle), None))
        return handle

    def release(self, token: Any) -> None:
        """Free the token's slot (its job has ended)."""
        self._update(lambda table: ({k: v for k, v in table.items() if k != token}, None))

    def job_of(self, token: str) -> str | None:
        """The handle of the token's job (None before it starts, or once it is gone)."""
        return self._update(lambda table: (table, table.get(token, {}).get("job")))

    def in_use(self) -> int:
        """How many slots are taken now."""
        return self._update(lambda table: (self._live(table), len(self._live(table))))


def _with_job(table: dict, token: str, handle: str) -> dict:
    if token not in table:  # released meanwhile (the job ended already)
        return table
    return {**table, token: {**table[token], "job": handle}}


def _diskcache_update(cache: diskcache.Cache) -> Callable:
    def update(change: Callable[[dict], tuple[dict, Any]]) -> Any:
        with cache.transact(retry=True):
            table, result = change(cache.get(SLOTS_KEY, {}))
            cache.set(SLOTS_KEY, table)
        return result

    return update


def _redis_update(client: Any) -> Callable:
    import json

    def update(change: Callable[[dict], tuple[dict, Any]]) -> Any:
        outcome: list[Any] = []

        def transaction(pipe: Any) -> None:
            raw = pipe.get(SLOTS_KEY)
            table, result = change(json.loads(raw) if raw else {})
            pipe.multi()
            pipe.set(SLOTS_KEY, json.dumps(table), ex=JOB_LEASE_S * 2)
            outcome[:] = [result]

        client.transaction(transaction, SLOTS_KEY)
        return outcome[0]

    return update


# --- the job ------------------------------------------------------------------------------------


def export_job(set_progress: Callable[[list[Any]], None], request: dict[str, Any]) -> list[Any]:
    """The export of one view, in a job process: [the download, the message under the button].

    `request` is what the button's quick callback admitted: {"scenario": the view's scenario as
    JSON data, "fmt": png|svg|pdf, "token": its slot}. Module-level and of small arguments: the
    forkserver receives it pickled (a closure over the view service would be megabytes).
    """
    from geodata.atlas import load_atlas
    from geodata.scenario import Scenario

    run_in_background()  # the whole job, its figure building too
    if "idle" not in _worker:  # a one-job process: it does not outlive its server
        _die_with_parent()
    scenario = Scenario.model_validate(request["scenario"])
    lang, fmt = scenario.lang, request["fmt"] if request["fmt"] in FORMATS else "png"
    set_progress(_progress("prepare", lang))
    atlas = load_atlas()
    try:
        image = _render(scenario, fmt, atlas, lambda: set_progress(_progress("render", lang)))
    except ExportError as error:
        failed = Message(t("export.failed", lang, reason=str(error)), (), "error")
        return [no_update, components.message(failed)]
    finally:
        _release(request.get("token"))
    set_progress(_progress("send", lang))
    filename = f"{scenario.id or 'alliance-atlas-view'}.{lang}.{fmt}"
    ready = Message(t("export.ready", lang, name=filename), (), "ok")
    return [dcc.send_bytes(image, filename), components.message(ready)]


def _render(scenario: Any, fmt: str, atlas: Any, rendering: Callable[[], None]) -> bytes:
    """The image, tried again once in a new browser: a browser just started sometimes runs the
    first image in its blank page instead of kaleido's ("kaleido_scopes is not defined"; seen
    about once in 15 fresh browsers), and every embedded job starts a fresh one."""
    from dashboard.export.images import render

    width, height = EXPORT_SIZE

    def once() -> bytes:
        with _browser() as session:
            rendering()
            return render(
                scenario, fmt, width=width, height=height, scale=1, atlas=atlas, session=session
            )

    try:
        return once()
    except ExportError:
        return once()


def _die_with_parent() -> None:
    """Be killed when the forkserver that forked this job ends (with its web worker: the
    server stopped or the worker died), so that no job and no export browser outlives it."""
    with contextlib.suppress(OSError, AttributeError):  # Linux only
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _progress(step: str, lang: str) -> list[str]:
    """The progress outputs of a step: the bar's value, and its words."""
    number = EXPORT_STEPS.index(step) + 1
    text = t(f"export.step.{step}", lang, step=number, steps=len(EXPORT_STEPS))
    return [str(number), text]


# What the job process is: a one-job process (embedded: its browser goes with it) or a Celery
# worker process that keeps its browser until idle (set by `serve_queued_jobs`).
_worker: dict[str, Any] = {}


@contextlib.contextmanager
def _browser() -> Any:
    from dashboard.export.session import RenderSession, shared_session

    idle = _worker.get("idle")
    if idle is None:  # a one-job process: its own browser, closed with the job
        with RenderSession() as session:
            yield session
        return
    idle.busy()
    try:
        yield shared_session()
    finally:
        idle.done()


def _release(token: Any) -> None:
    slots = _worker.get("slots")
    if slots is not None and token:
        slots.release(token)


class IdleBrowser:
    """Closes the process's shared export browser `seconds` after its last export ended."""

    def __init__(self, seconds: float = BROWSER_IDLE_S):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._active = 0
        self._last = 0.0
        self._timer: threading.Timer | None = None

    def busy(self) -> None:
        with self._lock:
            self._active += 1

    def done(self) -> None:
        with self._lock:
            self._active -= 1
            self._last = time.monotonic()
            self._arm(self.seconds)

    def _arm(self, seconds: float) -> None:
        if self._timer is None:
            self._timer = threading.Timer(seconds, self._close_if_idle)
            self._timer.daemon = True
            self._timer.start()

    def _close_if_idle(self) -> None:
        from dashboard.export.session import close_shared_session

        with self._lock:
            self._timer = None
            idle = time.monotonic() - self._last
            if self._active == 0 and idle >= self.seconds - 0.5:
                close_shared_session()
                return
            if self._active == 0:
                self._arm(max(1.0, self.seconds - idle))


# --- embedded: job processes on this machine ---------------------------------------------------


class _ResultsNotMissed:
    """Dash looks for a job's result, then whether the job still runs, and when neither, it
    answers the page "nothing" (204): a job that stores its result and ends between those two
    looks loses its export (seen under load). Look again once the job has ended."""

    def get_result(self, key: str, job: Any) -> Any:
        result = super().get_result(key, job)  # type: ignore[misc]
        if result is self.UNDEFINED and not self.job_running(job):  # type: ignore[attr-defined]
            result = super().get_result(key, job)  # type: ignore[misc]
        return result


class EmbeddedJobs(_ResultsNotMissed, DiskcacheManager):  # type: ignore[misc]
    """DiskcacheManager with export slots, forkserver job processes, "pid:start time" handles
    and a kill that holds no lock (see the module's docstring)."""

    def __init__(self, directory: Path, slots: int = EXPORT_SLOTS):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        # a real lock timeout: FanoutCache's default (0.01 s) silently drops a result under load
        results = diskcache.FanoutCache(str(directory / "results"), shards=8, timeout=30)
        self._slot_store = diskcache.Cache(str(directory / "slots"), timeout=30)
        self.slots = ExportSlots(slots, _diskcache_update(self._slot_store), self.job_running)
        super().__init__(results, expire=RESULT_EXPIRE_S)

    def before_fork(self) -> None:
        """Close the stores' connections (opened here) so that forked workers open their own."""
        self.handle.close()
        self._slot_store.close()

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        def start() -> str:
            process = _forkserver().Process(
                target=job_fn, args=(key, self._make_progress_key(key), args, context)
            )
            process.start()
            return process_handle(process.pid)

        return self.slots.start(_token(args), start) or NO_JOB

    def terminate_job(self, job: Any) -> None:
        process = _process(job)
        if process is None:
            return
        with contextlib.suppress(psutil.NoSuchProcess):
            victims = [*process.children(recursive=True), process]  # its browser too
            for victim in victims:
                with contextlib.suppress(psutil.NoSuchProcess):
                    victim.kill()
            psutil.wait_procs(victims, timeout=1)

    def terminate_unhealthy_job(self, job: Any) -> bool:
        if job and not self.job_running(job):
            self.terminate_job(job)
            return True
        return False

    def job_running(self, job: Any) -> bool:
        if job == "starting":
            return True
        process = _process(job)
        try:
            return process is not None and process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False


def _forkserver() -> Any:
    """multiprocess's forkserver context: a small process of this one's that forks each job.
    It imports only this package (for the path): a job loads what it needs, so the forkserver
    of each web worker stays ~20 MB."""
    from multiprocess import get_context

    context = get_context("forkserver")
    context.set_forkserver_preload(["dashboard"])
    return context


NO_JOB = "0:0"  # the handle of a job that was not started (no slot): it never runs


def process_handle(pid: int) -> str:
    """A job handle that names one process, not whichever process has its pid later."""
    try:
        return f"{pid}:{psutil.Process(pid).create_time()!r}"
    except psutil.NoSuchProcess:
        return f"{pid}:0"


def _process(job: Any) -> psutil.Process | None:
    pid, _, started = str(job).partition(":")
    try:
        process = psutil.Process(int(pid))
        return process if int(pid) > 0 and repr(process.create_time()) == started else None
    except (psutil.NoSuchProcess, ValueError):
        return None


def _token(args: Any) -> Any:
    request = args[0] if isinstance(args, list | tuple) and args else args
    return request.get("token") if isinstance(request, dict) else None


def embedded_jobs(directory: Path | None = None, slots: int = EXPORT_SLOTS) -> EmbeddedJobs:
    """Background exports on this machine; their store in `directory` (default: a new temporary
    directory, removed when the process that made it exits)."""
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="alliance-atlas-jobs-"))
        owner = os.getpid()

        def remove() -> None:
            if os.getpid() == owner:  # not in the forked workers, which exit first
                shutil.rmtree(directory, ignore_errors=True)

        atexit.register(remove)
    return EmbeddedJobs(directory, slots)


# --- queued: Celery workers through Redis ----------------------------------------------------


class QueuedJobs(_ResultsNotMissed, CeleryManager):  # type: ignore[misc]
    """CeleryManager with export slots kept in Redis, and job handles that give up a job no
    worker took within QUEUE_WAIT_S (a worker of another revision drops tasks it does not know)."""

    def __init__(self, celery_app: Any, slots: int = EXPORT_SLOTS):
        super().__init__(celery_app, expire=RESULT_EXPIRE_S)
        self.redis = celery_app.backend.client
        self.slots = ExportSlots(slots, _redis_update(self.redis), self.job_running)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        def start() -> str:
            task = job_fn.delay(key, self._make_progress_key(key), args, context)
            return f"{task.task_id}:{time.time():.0f}"

        return self.slots.start(_token(args), start) or NO_JOB

    def terminate_job(self, job: Any) -> None:
        task_id = _task_id(job)
        if task_id:
            self.handle.control.terminate(task_id)

    def terminate_unhealthy_job(self, job: Any) -> bool:
        return bool(super().terminate_unhealthy_job(_task_id(job)))

    def job_running(self, job: Any) -> bool:
        if job == "starting":
            return True
        task_id, _, sent = str(job).partition(":")
        if not task_id or job == NO_JOB:
            return False
        status = self.handle.AsyncResult(task_id).status
        if status == "PENDING" and time.time() - float(sent or 0) > QUEUE_WAIT_S:
            return False  # no worker took it
        return status in ("PENDING", "RECEIVED", "STARTED", "RETRY", "PROGRESS")


def _task_id(job: Any) -> str | None:
    task_id = str(job).partition(":")[0] if job else ""
    return task_id if task_id and job != NO_JOB else None


def celery_app_for(url: str) -> Any:
    """A Celery app whose broker and result store is the Redis at `url`."""
    from celery import Celery

    app = Celery("alliance_atlas", broker=url, backend=url)
    app.conf.update(
        result_expires=RESULT_EXPIRE_S,
        worker_prefetch_multiplier=1,  # a worker process takes one export at a time
        task_track_started=True,  # STARTED, not PENDING, once a worker has it (QUEUE_WAIT_S)
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


def queued_jobs(url: str, slots: int = EXPORT_SLOTS) -> QueuedJobs:
    """Background exports through the Redis at `url`, rendered by `alliance-atlas worker`s."""
    return QueuedJobs(celery_app_for(url), slots)


def shared_secret(manager: QueuedJobs) -> bytes:
    """The key every dashboard on this Redis signs job handles with: made by the first, kept in
    Redis without expiry (Dash's own copy there expires with the results, after which processes
    would disagree and a page's export would vanish)."""
    manager.redis.set(SECRET_KEY, uuid.uuid4().hex + uuid.uuid4().hex, nx=True)
    return manager.redis.get(SECRET_KEY)


def serve_queued_jobs(manager: QueuedJobs, idle_s: float = BROWSER_IDLE_S) -> None:
    """Make this process a Celery worker's: jobs free their slot in Redis, the export browser is
    kept between jobs and closed after `idle_s` without one."""
    _worker.update(slots=manager.slots, idle=IdleBrowser(idle_s))
