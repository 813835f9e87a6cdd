"""The slow half of the adversarial corpus (`scripts/loadtest.py --chaos`): what no request, client
or crash may do to the dashboard, measured against issue 17's budgets on a gunicorn it starts
(127.0.0.1 only; every loop bounded in count and time).

    .venv/bin/python scripts/loadtest.py --chaos [--workers 4] [--json chaos.json]

Phases, in order (the last one stops the server):
  hostile    the corpus's uploads and addresses (tests/adversarial), 3 rounds: each answered
             within 200 ms (median of the rounds) with its message; workers' peak RSS +50 MB
  slowloris  50 connections sending headers a byte a second + 200 idle ones (reopened when the
             server closes them); meanwhile normal requests on new connections: p95 <= 100 ms,
             no timeout
  storm      30 exports at once (distinct views; a user told "busy" tries again 3 s later),
             while a user toggles a layer every 0.5 s on a new connection each time: toggles
             p95 <= 1 s, the server's whole process tree <= 3 GB PSS, no export browser left
             2 min after the last export
  kill -9    a worker killed under load: requests keep being answered, a new worker comes
  SIGTERM    the server stopped under load (an export running): in-flight requests answered,
             exit status 0, no process of it (job, browser) left
  queue      the Redis + Celery path end to end (tests/dashboard/test_jobs.py, its queue test)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import loadtest
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "adversarial"))

from hostile import corpus_page, send_corpus  # noqa: E402

from dashboard.callbacks import EXPORT_POLL_MS  # noqa: E402
from dashboard.local_server import free_port, gunicorn_command, local_server  # noqa: E402
from dashboard.processes import wait_for_children  # noqa: E402

BUDGETS = {
    "hostile_median_ms": 200,
    "hostile_rss_growth_mb": 50,
    "slowloris_p95_ms": 100,
    "slowloris_timeouts": 0,
    "storm_toggle_p95_ms": 1000,
    "storm_peak_pss_mb": 3072,
    "storm_browsers_gone_s": 120,
}
PRESETS = (
    "threats_360",
    "concept_diagram",
    "summit_outcomes",
    "ukraine_support",
    "authoritarian_partnerships",
    "value_community",
    "proposals_japan_five_eyes_nato",
)
MB = 2**20


def pct(values: list[float], q: float) -> float | None:
    return loadtest.percentile(values, q) if values else None


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


# --- the server's process tree ---------------------------------------------------------------


def is_chromium(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return "chrom" in process.name().lower()
    return False


class TreeWatch(threading.Thread):
    """Samples the server's whole process tree every 0.5 s: PSS (MB) and Chromium processes."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(root)
        self.samples: list[tuple[float, float, int]] = []
        self.running = True

    def sample(self) -> tuple[float, float, int]:
        tree = [self.root, *self.root.children(recursive=True)]
        pss = 0
        chromium = 0
        for process in tree:
            with contextlib.suppress(psutil.Error):
                pss += process.memory_full_info().pss
                chromium += is_chromium(process)
        return time.monotonic(), pss / MB, chromium

    def run(self) -> None:
        while self.running:
            with contextlib.suppress(psutil.Error):
                self.samples.append(self.sample())
            time.sleep(0.5)


# --- a simulated page -------------------------------------------------------------------------


class Page:
    """One browser's page: runs callbacks as dash-renderer does (following background jobs)."""

    def __init__(self, model: loadtest.AppModel, search: str, seed: int):
        self.model = model
        self.browser = loadtest.Browser(model, random.Random(seed))
        self.browser.reset(search)

    async def run(
        self, client: httpx.AsyncClient, callback: Any, changed: list, log: list | None = None
    ) -> dict[str, Any]:
        """Run a callback and the callbacks its outputs trigger; the first one's answer."""
        body = self.browser.payload(callback, changed)
        response = await client.post(loadtest.CALLBACK_PATH, json=body)
        data = response.json() if response.status_code == 200 else {}
        if "cacheKey" in data and "job" in data:
            data = await self.follow(client, callback, data)
        if log is not None:
            log.append((callback.name, response.status_code))
        followers = self.browser.triggered_by(self.browser.apply(data), callback) if data else []
        await asyncio.gather(*(self.run(client, cb, hit, log) for cb, hit in followers))
        return data

    async def follow(self, client: httpx.AsyncClient, callback: Any, handles: dict) -> dict:
        body = self.browser.payload(callback, [])
        for item in body["inputs"] + body.get("state", []):
            if isinstance(item, dict):
                item["value"] = None
        query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            await asyncio.sleep(EXPORT_POLL_MS / 1000)
            response = await client.post(loadtest.CALLBACK_PATH + query, json=body)
            if response.status_code != 200:
                return {}
            data = response.json()
            if "response" in data:
                return data
        return {}


def export_message(data: dict[str, Any]) -> str:
    for key, props in (data.get("response") or {}).items():
        if key.startswith("export-message"):
            return json.dumps(props.get("children"), ensure_ascii=False)
    return ""


# --- phases -----------------------------------------------------------------------------------


def hostile(base: str, workers: list[int], scratch: Path, rounds: int = 3) -> dict[str, Any]:
    def peak(pid: int) -> float:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024

    before = {pid: peak(pid) for pid in workers}
    times: dict[tuple[str, str], list[float]] = {}
    unclear = []
    for _ in range(rounds):
        with corpus_page(base) as page:
            answers = list(send_corpus(page, scratch))
        for answer in answers:
            times.setdefault((answer.case, answer.way), []).append(answer.seconds)
            if (
                answer.way != "index"
                and answer.status == 200
                and answer.expect not in answer.message
            ):
                unclear.append(answer.case)
    medians = {f"{case} ({way})": statistics.median(s) for (case, way), s in times.items()}
    slowest = max(medians, key=medians.get)
    growth = max(peak(pid) - before[pid] for pid in workers)
    return {
        "cases": len(medians),
        "rounds": rounds,
        "median_of_medians_ms": ms(statistics.median(medians.values())),
        "slowest_case": slowest,
        "slowest_median_ms": ms(medians[slowest]),
        "unclear_messages": sorted(set(unclear)),
        "worker_peak_rss_growth_mb": round(growth, 1),
        "ok": medians[slowest] * 1000 <= BUDGETS["hostile_median_ms"]
        and growth <= BUDGETS["hostile_rss_growth_mb"]
        and not unclear,
    }


async def _attacker(host: str, port: int, slow: bool, stop: asyncio.Event, counts: dict) -> None:
    line = f"GET /?slow={random.randrange(10**9)} HTTP/1.1\r\nHost: {host}\r\n".encode()
    data = line + b"X-Slow: aaaaaaaaaa\r\n" * 10_000
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (OSError, TimeoutError):
            counts["refused"] += 1
            await asyncio.sleep(0.5)
            continue
        counts["opened"] += 1
        sent = 0
        try:
            while not stop.is_set():
                if slow:
                    writer.write(data[sent : sent + 1])
                    sent += 1
                    await writer.drain()
                try:
                    chunk = await asyncio.wait_for(reader.read(1), 1.0)
                except TimeoutError:
                    continue
                counts["closed_by_server"] += 1  # EOF, or an answer (408/400): reconnect
                del chunk
                break
        except (OSError, ConnectionError):
            counts["closed_by_server"] += 1
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)


async def _normal_requests(base: str, sync_body: dict, count: int, gap: float) -> list:
    """Requests on a new connection each (a newly arriving user): GET / and the sync callback."""
    results = []
    for index in range(count):
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
            started = time.perf_counter()
            try:
                if index % 2:
                    response = await client.post(loadtest.CALLBACK_PATH, json=sync_body)
                else:
                    response = await client.get("/")
                results.append((response.status_code, time.perf_counter() - started))
            except httpx.HTTPError as error:
                results.append((type(error).__name__, time.perf_counter() - started))
        await asyncio.sleep(gap)
    return results


async def slowloris(base: str, model: Any, slow: int = 50, idle: int = 200) -> dict[str, Any]:
    host, port = base.split("//")[1].split(":")
    page = loadtest.Browser(model, random.Random(1))
    page.reset("?scenario=threats_360&lang=en")
    sync_body = page.payload(model.by_name("sync"), [("url-request", "data")])
    await _normal_requests(base, sync_body, 4, 0.05)  # warm
    baseline = await _normal_requests(base, sync_body, 24, 0.25)
    stop = asyncio.Event()
    counts = {"opened": 0, "closed_by_server": 0, "refused": 0}
    attackers = [
        asyncio.create_task(_attacker(host, int(port), kind, stop, counts))
        for kind in [True] * slow + [False] * idle
    ]
    await asyncio.sleep(3)
    attacked = await _normal_requests(base, sync_body, 60, 0.5)
    stop.set()
    await asyncio.wait(attackers, timeout=15)

    def summary(rows: list) -> dict[str, Any]:
        done = [s for status, s in rows if isinstance(status, int)]
        return {
            "n": len(rows),
            "timeouts_or_errors": sum(not isinstance(status, int) for status, _ in rows),
            "statuses": sorted({str(status) for status, _ in rows}),
            "p50_ms": ms(pct(done, 50)),
            "p95_ms": ms(pct(done, 95)),
            "max_ms": ms(max(done) if done else None),
        }

    result = {"baseline": summary(baseline), "under_attack": summary(attacked), "attack": counts}
    under = result["under_attack"]
    result["ok"] = (
        under["timeouts_or_errors"] == BUDGETS["slowloris_timeouts"]
        and under["p95_ms"] is not None
        and under["p95_ms"] <= BUDGETS["slowloris_p95_ms"]
    )
    return result


async def _toggler(base: str, model: Any, stop: asyncio.Event, every: float, out: list) -> None:
    """A user toggling a layer every `every` s, each toggle on a new connection (any worker)."""
    page = Page(model, "?scenario=threats_360&lang=en", 7)
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await page.run(client, model.by_name("sync"), [("url-request", "data")])
        layers = page.browser.options("layers")
        index = 0
        while not stop.is_set():
            value = list(page.browser.get("layers", "value") or [])
            layer = layers[index % len(layers)]
            index += 1
            value = [v for v in value if v != layer] if layer in value else [*value, layer]
            changed = [page.browser.set("layers", "value", value)]
            started = time.perf_counter()
            try:
                await page.run(client, model.by_name("sync"), changed)
                out.append(time.perf_counter() - started)
            except httpx.HTTPError:
                out.append(float("inf"))
            await asyncio.sleep(every)


async def _one_export(base: str, model: Any, search: str, fmt: str, retries: int) -> dict:
    page = Page(model, search, 1)
    started = time.perf_counter()
    busy = 0
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await page.run(client, model.by_name("sync"), [("url-request", "data")])
        page.browser.set("export-format", "value", fmt)
        button = model.by_name("export:image")
        for clicks in range(1, retries + 2):
            log: list = []
            data = await page.run(
                client, button, [page.browser.set("export", "n_clicks", clicks)], log
            )
            message = export_message(data)
            if "message-warn" not in message:  # not busy: the job's answer came in
                break
            busy += 1
            await asyncio.sleep(3)
        download = page.browser.get("export-download", "data") or {}
        final = page.browser.get("export-message", "children")
    return {
        "view": f"{search} {fmt}",
        "ok": bool(download.get("content")),
        "busy_answers": busy,
        "s": round(time.perf_counter() - started, 1),
        "message": "" if download.get("content") else json.dumps(final, ensure_ascii=False)[:200],
        "done_at": time.monotonic(),
    }


async def storm(
    base: str, model: Any, master: int, exports: int = 30, retries: int = 80
) -> dict[str, Any]:
    watch = TreeWatch(master)
    watch.start()
    stop = asyncio.Event()
    before: list[float] = []
    task = asyncio.create_task(_toggler(base, model, stop, 0.5, before))
    await asyncio.sleep(8)
    stop.set()
    await task
    at_rest = watch.samples[-1]
    views = [
        (f"?scenario={preset}&lang={lang}", fmt)
        for fmt in ("png", "svg", "pdf")
        for lang in ("en", "ja")
        for preset in PRESETS
    ][:exports]
    random.Random(3).shuffle(views)
    stop = asyncio.Event()
    during: list[float] = []
    task = asyncio.create_task(_toggler(base, model, stop, 0.5, during))
    started = time.monotonic()
    results = await asyncio.gather(*(_one_export(base, model, s, f, retries) for s, f in views))
    storm_s = time.monotonic() - started
    stop.set()
    await task
    peak_pss = max(s[1] for s in watch.samples)
    peak_chromium = max(s[2] for s in watch.samples)
    last = max(r["done_at"] for r in results)
    gone_after = None
    while time.monotonic() - last < 150:
        await asyncio.sleep(1)
        if watch.samples[-1][2] == 0:
            gone_after = round(watch.samples[-1][0] - last, 1)
            break
    watch.running = False

    def stats(values: list[float]) -> dict[str, Any]:
        done = [v for v in values if v != float("inf")]
        return {
            "n": len(values),
            "failed": len(values) - len(done),
            "p50_ms": ms(pct(done, 50)),
            "p95_ms": ms(pct(done, 95)),
            "max_ms": ms(max(done) if done else None),
        }

    # a user still told "busy" after every retry got a clear answer: not lost, but counted
    gave_up = [r for r in results if not r["ok"] and r["busy_answers"] > retries]
    lost = [r for r in results if not r["ok"] and r not in gave_up]
    result = {
        "exports": len(results),
        "exports_ok": sum(r["ok"] for r in results),
        "gave_up_after_busy": len(gave_up),
        "lost_or_failed": lost[:5],
        "busy_answers": sum(r["busy_answers"] for r in results),
        "export_s": {
            "p50": statistics.median(r["s"] for r in results),
            "max": max(r["s"] for r in results),
        },
        "storm_s": round(storm_s, 1),
        "toggles_before": stats(before),
        "toggles_during": stats(during),
        "at_rest_pss_mb": round(at_rest[1]),
        "peak_pss_mb": round(peak_pss),
        "peak_chromium_processes": peak_chromium,
        "browsers_gone_after_last_export_s": gone_after,
    }
    during_p95 = result["toggles_during"]["p95_ms"]
    result["ok"] = (
        not lost
        and during_p95 is not None
        and during_p95 <= BUDGETS["storm_toggle_p95_ms"]
        and not result["toggles_during"]["failed"]
        and peak_pss <= BUDGETS["storm_peak_pss_mb"]
        and gone_after is not None
        and gone_after <= BUDGETS["storm_browsers_gone_s"]
    )
    return result


async def _steady(base: str, sync_body: dict, seconds: float, out: list) -> None:
    """A request every 0.1 s on a new connection, for `seconds`: (status or error, s)."""
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = await client.post(loadtest.CALLBACK_PATH, json=sync_body)
                out.append((response.status_code, time.perf_counter() - started))
            except httpx.HTTPError as error:
                out.append((type(error).__name__, time.perf_counter() - started))
            await asyncio.sleep(0.1)


async def kill_worker(base: str, model: Any, master: int, workers: int) -> dict[str, Any]:
    page = loadtest.Browser(model, random.Random(2))
    page.reset("?scenario=summit_outcomes&lang=en")
    sync_body = page.payload(model.by_name("sync"), [("url-request", "data")])
    answers: list = []
    steady = asyncio.create_task(_steady(base, sync_body, 10, answers))
    await asyncio.sleep(3)
    victim = psutil.Process(master).children()[0]
    victim.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    replaced = None
    while time.monotonic() - killed < 30:
        pids = {p.pid for p in psutil.Process(master).children()} - {victim.pid}
        if len(pids) >= workers:
            replaced = round(time.monotonic() - killed, 2)
            break
        await asyncio.sleep(0.05)
    await steady
    failed = [status for status, _ in answers if status != 200]
    result = {
        "requests": len(answers),
        "failed": len(failed),
        "failures": sorted({str(f) for f in failed}),
        "p95_ms": ms(pct([s for status, s in answers if status == 200], 95)),
        "new_worker_after_s": replaced,
    }
    result["ok"] = replaced is not None and len(failed) <= 1  # at most the one it was answering
    return result


async def sigterm(base: str, model: Any, server: subprocess.Popen) -> dict[str, Any]:
    """SIGTERM with requests in flight and an export running: they are answered, the server
    exits 0 and leaves no process behind."""
    master = psutil.Process(server.pid)
    page = loadtest.Browser(model, random.Random(4))
    page.reset("?scenario=threats_360&lang=en")
    sync_body = page.payload(model.by_name("sync"), [("url-request", "data")])
    answers: list = []
    steady = asyncio.create_task(_steady(base, sync_body, 2.5, answers))
    export = asyncio.create_task(
        _one_export(base, model, "?scenario=value_community&lang=en", "pdf", 0)
    )
    await asyncio.sleep(2)
    tree = [master, *master.children(recursive=True)]
    server.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    await steady
    with contextlib.suppress(Exception):
        await asyncio.wait_for(export, 40)
    try:
        code = await asyncio.to_thread(server.wait, 60)
    except subprocess.TimeoutExpired:
        code = None
    exit_s = round(time.monotonic() - stopped, 1)
    await asyncio.sleep(3)
    left = [p.pid for p in tree if _alive(p)]
    refused = [status for status, _ in answers if not isinstance(status, int)]
    result = {
        "requests": len(answers),
        "answered": sum(status == 200 for status, _ in answers),
        "refused_after_stop": len(refused),  # new connections after the listener closed
        "bad_statuses": sorted({str(s) for s, _ in answers if isinstance(s, int) and s != 200}),
        "exit_status": code,
        "exit_s": exit_s,
        "processes_left": left,
    }
    result["ok"] = code == 0 and not left and not result["bad_statuses"]
    return result


def _alive(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    return False


def queue_path() -> dict[str, Any]:
    """The queue's end-to-end test (real Redis, a Celery worker, two dashboards)."""
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/dashboard/test_jobs.py",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    last = (run.stdout.strip().splitlines() or [""])[-1]
    return {"pytest": last, "s": round(time.monotonic() - started), "ok": run.returncode == 0}


# --- the run ----------------------------------------------------------------------------------


async def _phases(base: str, server: subprocess.Popen, workers: int, scratch: Path) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        model = loadtest.AppModel.from_json(
            (await client.get("/_dash-dependencies")).json(),
            (await client.get("/_dash-layout")).json(),
        )
    report: dict[str, Any] = {"load_average_start": os.getloadavg()}
    worker_pids = wait_for_children(server.pid, workers)
    print("chaos: hostile input…", file=sys.stderr)
    report["hostile"] = await asyncio.to_thread(hostile, base, worker_pids, scratch)
    print("chaos: slowloris…", file=sys.stderr)
    report["slowloris"] = await slowloris(base, model)
    print("chaos: export storm…", file=sys.stderr)
    report["storm"] = await storm(base, model, server.pid)
    print("chaos: kill -9 of a worker…", file=sys.stderr)
    report["kill_9"] = await kill_worker(base, model, server.pid, workers)
    print("chaos: SIGTERM under load…", file=sys.stderr)
    report["sigterm"] = await sigterm(base, model, server)
    report["load_average_end"] = os.getloadavg()
    return report


def run_chaos(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="atlas-chaos-") as folder:
        scratch = Path(folder)
        port = free_port()
        log = Path(args.log) if args.log else scratch / "server.log"
        command = gunicorn_command(port, args.workers)
        with local_server(command, port=port, log=log, timeout=180) as server:
            wait_for_children(server.process.pid, args.workers)
            report = asyncio.run(
                _phases(server.url.rstrip("/"), server.process, args.workers, scratch)
            )
        text = log.read_text(errors="replace")
        report["server_log"] = {
            "tracebacks": text.count("Traceback (most recent call last)"),
            "worker_timeouts": text.count("WORKER TIMEOUT"),
        }
    print("chaos: the queue path…", file=sys.stderr)
    report["queue"] = queue_path()
    report["workers"] = args.workers
    report["budgets"] = BUDGETS
    failed = [
        name for name, part in report.items() if isinstance(part, dict) and part.get("ok") is False
    ]
    report["ok"] = not failed
    print(json.dumps(report, indent=1, default=str))
    print(
        "chaos: "
        + ("every budget met" if not failed else "FAILED: " + ", ".join(failed))
        + f" (load average {report['load_average_start'][0]:.1f} → {report['load_average_end'][0]:.1f} on 2 cores)",
        file=sys.stderr,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return 0 if not failed else 1
