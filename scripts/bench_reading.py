#!/usr/bin/env python
"""Browser benchmark of the reading panel (issue 13's Speed section), beside bench_dashboard.py.

    .venv/bin/python scripts/bench_reading.py                  # 5 runs, table on stdout
    .venv/bin/python scripts/bench_reading.py --runs 9 --out reading.json

It starts the dashboard of this checkout (`python -m dashboard serve`, as bench_dashboard.py
does) and, per run, fresh headless Chromiums (bench_dashboard's `browser`: temporary profile,
HTTP cache off, its first-paint instrumentation) that measure:

1. first paint of the map (bench_dashboard's measure: the map's geo paths drawn, then the end of
   the next frame) of `/` (the baseline), `/?read=1` (the panel open) and
   `/?read=1&sentence=P6.2` (a link with a sentence): the panel's text must not delay the map;
2. sentence click → map emphasised: a click on each mapped sentence of P5, P6 and P12 (the
   issue's paragraphs), from the click to the emphasis painted on the map (the page paints it on
   the drawn map, assets/atlas.js paintEmphasis, and names the sentence in the graph's
   data-emphasis) and the end of the next frame; how many times plotly drew the map again
   meanwhile (each redraw draws a geo subplot whole: 0 is expected); the time until the details
   panel shows the sentence (a server answer) too;
3. map click → text highlighted: plotly's click event on each of a few items (RUS, CHN, JPN,
   UKR, NATO's marker), from the event to the sentences citing it highlighted in the panel and
   the next frame;
4. the bytes each selection brings: the callback answers after the click (wire: as received,
   gzip and headers included; body: decoded JSON);
5. the baseline of the same run: a click on a layer checkbox (bench_dashboard's toggle_once,
   itself a Patch), and the ratios sentence click / toggle.

Budgets (a benchmark, not a test: the exit status is 0 unless --strict): median sentence click
→ map painted <= 150 ms, median map click → text painted <= 150 ms, every selection's callback
answers <= 5 KB on the wire. Exit status 2: the measurement itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_dashboard as bench

from dashboard.local_server import free_port, local_server, serve_command

KB = 1024
BUDGET_MS = 150
BUDGET_BYTES = 5 * KB
PARAGRAPHS = ("P5", "P6", "P12")
ITEMS = ("RUS", "CHN", "JPN", "UKR", "nato")
LOADS = {"map only": "/", "panel open": "/?read=1", "with a sentence": "/?read=1&sentence=P6.2"}

PANEL_READY_JS = "return !!document.querySelector('#article-body [data-sentence]');"

# Click a sentence; window.__pick gets t0 (click), t1 (the emphasis painted on the map: the
# graph's data-emphasis names the sentence, see assets/atlas.js paintEmphasis), painted (the end
# of the next frame), details (the details panel showing the sentence) and redraws (plotly's
# redraws of the map until the details show: each draws a geo subplot whole again).
SENTENCE_JS = r"""
const id = arguments[0];
const gd = document.querySelector('#map .js-plotly-plot');
const el = document.querySelector(`#article-body [data-sentence="${id}"]`);
if (!gd || !el) { return false; }
el.scrollIntoView({block: 'center'});
const P = window.__pick = {id, t0: null, t1: null, painted: null, details: null, redraws: 0};
const onPlot = () => { P.redraws += 1; };
gd.on('plotly_afterplot', onPlot);
const emphasised = () => {
  if (P.t1 !== null || gd.getAttribute('data-emphasis') !== id) { return; }
  P.t1 = performance.now();
  window.__benchAfterFrame((t) => { P.painted = t; });
};
new MutationObserver(emphasised).observe(gd, {attributes: true, attributeFilter: ['data-emphasis']});
const details = new MutationObserver(() => {
  if (document.querySelector(`#details [data-sentence-details="${id}"]`)) {
    P.details = performance.now();
    details.disconnect();
    setTimeout(() => gd.removeListener('plotly_afterplot', onPlot), 0);
  }
});
details.observe(document.getElementById('details'), {childList: true, subtree: true});
P.t0 = performance.now();
el.click();
return true;
"""

# Emit plotly's click on the map item `item`; window.__hit gets t0, t1 (its sentences marked in
# the panel) and painted.
MAP_CLICK_JS = r"""
const item = arguments[0];
const gd = document.querySelector('#map .js-plotly-plot');
const body = document.getElementById('article-body');
let point = null;
gd.data.forEach((trace, i) => {
  (trace.customdata || []).forEach((cd, j) => {
    if (!point && cd === item && !window.atlasHiding.isHidden(trace)) {
      point = {curveNumber: i, pointNumber: j, customdata: cd,
               location: trace.locations ? trace.locations[j] : undefined};
    }
  });
});
if (!point || !body) { return false; }
const H = window.__hit = {item, t0: null, t1: null, painted: null, count: 0};
const seen = new MutationObserver(() => {
  const n = body.querySelectorAll('.hit-sentence').length;
  if (n && H.t1 === null) {
    H.t1 = performance.now();
    H.count = n;
    seen.disconnect();
    window.__benchAfterFrame((t) => { H.painted = t; });
  }
});
seen.observe(body, {attributes: true, subtree: true, attributeFilter: ['class']});
H.t0 = performance.now();
gd.emit('plotly_click', {points: [point]});
return true;
"""

CLEAR_JS = r"""
document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
"""


def mapped_sentences(paragraphs: tuple[str, ...]) -> list[str]:
    """The sentences of `paragraphs` that put something on the map (the coverage data)."""
    from geodata.coverage import sentence_coverage
    from geodata.sentences import bundled_sentences
    from geodata.validate import load_knowledge

    rows = sentence_coverage(load_knowledge(), bundled_sentences())
    return [r.sentence.id for r in rows if r.sentence.place in paragraphs and r.records]


def answers(driver: Any) -> tuple[int, int, int]:
    """(callback answers, their bytes on the wire, their decoded bodies) since the last drain."""
    requests = bench.callbacks(bench.drain(driver))
    wire = sum(r.wire or 0 for r in requests)
    body = sum(len(bench.body_of(driver, r)) if r.status == 200 else 0 for r in requests)
    return len(requests), wire, body


def pick(driver: Any, sentence: str, timeout: float) -> dict[str, Any]:
    bench.wait_until(driver, bench.IDLE_JS, timeout, "idle callbacks before a sentence click")
    bench.drain(driver)
    if not driver.execute_script(SENTENCE_JS, sentence):
        raise bench.BenchError(f"no sentence {sentence} in the panel")
    done = bench.wait_until(
        driver,
        "const P = window.__pick; return P.painted !== null && P.details !== null ? P : null;",
        timeout,
        f"the map and the details to show {sentence}",
    )
    bench.wait_until(driver, bench.IDLE_JS, timeout, f"callbacks after {sentence}")
    time.sleep(0.05)
    count, wire, body = answers(driver)
    return {
        "sentence": sentence,
        "map_ms": done["t1"] - done["t0"],
        "painted_ms": done["painted"] - done["t0"],
        "details_ms": done["details"] - done["t0"],
        "redraws": done["redraws"],
        "callbacks": count,
        "wire": wire,
        "body": body,
    }


def map_click(driver: Any, item: str, timeout: float) -> dict[str, Any] | None:
    bench.wait_until(driver, bench.IDLE_JS, timeout, "idle callbacks before a map click")
    driver.execute_script(CLEAR_JS)
    bench.wait_until(
        driver,
        "return !document.querySelector('#article-body .hit-sentence');",
        timeout,
        "the highlights to clear",
    )
    bench.drain(driver)
    if not driver.execute_script(MAP_CLICK_JS, item):
        return None  # not drawn in this view
    done = bench.wait_until(
        driver,
        "const H = window.__hit; return H.painted !== null ? H : null;",
        timeout,
        f"the sentences citing {item} to be highlighted",
    )
    bench.wait_until(driver, bench.IDLE_JS, timeout, f"callbacks after clicking {item}")
    count, wire, body = answers(driver)
    return {
        "item": item,
        "text_ms": done["t1"] - done["t0"],
        "painted_ms": done["painted"] - done["t0"],
        "sentences": done["count"],
        "callbacks": count,
        "wire": wire,
        "body": body,
    }


def one_run(url: str, sentences: list[str], args: argparse.Namespace) -> dict[str, Any]:
    window = bench._size(args.window)
    run: dict[str, Any] = {"loads": {}}
    for name, path in LOADS.items():  # each load in a fresh browser (cache off)
        with bench.browser(window, args.timeout) as driver:
            run["loads"][name] = bench.load_page(driver, bench.DASHBOARD, url + path, args.timeout)[
                0
            ]["first_paint_ms"]
    with bench.browser(window, args.timeout) as driver:
        _, offset = bench.load_page(driver, bench.DASHBOARD, url + "/?read=1", args.timeout)
        bench.wait_until(driver, PANEL_READY_JS, args.timeout, "the article in the panel")
        run["toggles"] = [
            bench.toggle_once(driver, "layers", "events", offset, args.timeout)["painted_ms"]
            for _ in range(2)
        ]
        run["sentences"] = [pick(driver, s, args.timeout) for s in sentences]
        driver.execute_script(CLEAR_JS)
        run["items"] = [row for item in ITEMS if (row := map_click(driver, item, args.timeout))]
        run["console_errors"] = bench.severe_console(driver)
    return run


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    picks = [row for run in runs for row in run["sentences"]]
    clicks = [row for run in runs for row in run["items"]]
    toggles = [t for run in runs for t in run["toggles"]]
    loads = {name: [run["loads"][name] for run in runs] for name in LOADS}
    base = loads["map only"]

    def ratio(values: list[float]) -> list[float | None]:
        return [v / b if b else None for v, b in zip(values, base, strict=True)]

    summary = {
        "first_paint_ms": {name: bench.stats(values) for name, values in loads.items()},
        "first_paint_ratio": {
            name: bench.stats(ratio(values)) for name, values in loads.items() if name != "map only"
        },
        "sentence_click": {
            key: bench.stats([row[key] for row in picks])
            for key in ("map_ms", "painted_ms", "details_ms", "redraws", "wire", "body")
        },
        "sentence_max_wire": max((row["wire"] for row in picks), default=None),
        "map_click_max_wire": max((row["wire"] for row in clicks), default=None),
        "map_click": {
            key: bench.stats([row[key] for row in clicks])
            for key in ("text_ms", "painted_ms", "wire", "body")
        },
        "toggle_painted_ms": bench.stats(toggles),
    }
    toggle = summary["toggle_painted_ms"]
    painted = summary["sentence_click"]["painted_ms"]
    if toggle and painted:
        summary["sentence_over_toggle"] = painted["median"] / toggle["median"]
    return summary


def budgets(summary: dict[str, Any]) -> list[tuple[str, str, float | None, float]]:
    sentence = summary["sentence_click"]["painted_ms"]
    text = summary["map_click"]["painted_ms"]
    rows = [
        ("sentence click → map painted, median", "ms", sentence and sentence["median"], BUDGET_MS),
        ("map click → text painted, median", "ms", text and text["median"], BUDGET_MS),
        ("bytes of a sentence picked, largest", "B", summary["sentence_max_wire"], BUDGET_BYTES),
        ("bytes of a map click, largest", "B", summary["map_click_max_wire"], BUDGET_BYTES),
    ]
    return [(name, unit, value, limit) for name, unit, value, limit in rows]


def render(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [
        f"bench_reading: {report['meta']['runs_done']} runs, {report['meta']['sentences']} "
        f"sentences ({', '.join(PARAGRAPHS)}), items {', '.join(ITEMS)}; "
        f"load {report['meta']['loadavg_before']} → {report['meta']['loadavg_after']}",
        "",
        f"{'measure':48} {'median':>9} {'min':>9} {'max':>9} {'n':>4}",
    ]

    def row(label: str, st: dict[str, Any] | None, unit: str) -> None:
        if st is None:
            lines.append(f"{label:48} {'—':>9}")
            return
        fmt = (lambda v: f"{v:.0f} {unit}") if unit != "×" else (lambda v: f"{v:.2f}×")
        values = (fmt(st["median"]), fmt(st["min"]), fmt(st["max"]))
        lines.append(f"{label:48} {values[0]:>9} {values[1]:>9} {values[2]:>9} {st['n']:>4}")

    for name, st in s["first_paint_ms"].items():
        row(f"first paint of the map: {name}", st, "ms")
    for name, st in s["first_paint_ratio"].items():
        row(f"  ratio {name} / map only (same run)", st, "×")
    row("layer toggle → map painted (baseline)", s["toggle_painted_ms"], "ms")
    row("sentence click → emphasis on the map", s["sentence_click"]["map_ms"], "ms")
    row("sentence click → map painted", s["sentence_click"]["painted_ms"], "ms")
    row("sentence click → details shown", s["sentence_click"]["details_ms"], "ms")
    row("sentence click: plotly redraws of the map", s["sentence_click"]["redraws"], "")
    row("sentence click: callback answers, wire", s["sentence_click"]["wire"], "B")
    row("sentence click: callback answers, JSON", s["sentence_click"]["body"], "B")
    row("map click → text highlighted", s["map_click"]["text_ms"], "ms")
    row("map click → text painted", s["map_click"]["painted_ms"], "ms")
    row("map click: callback answers, wire", s["map_click"]["wire"], "B")
    if "sentence_over_toggle" in s:
        lines.append(
            f"{'sentence click / layer toggle (medians)':48} {s['sentence_over_toggle']:>8.2f}×"
        )
    lines += ["", "budgets:"]
    for name, unit, value, limit in report["budgets"]:
        status = "—" if value is None else ("ok" if value <= limit else "FAIL")
        shown = "—" if value is None else f"{value:.0f} {unit}"
        lines.append(f"  {status:4} {name}: {shown} (budget {limit} {unit})")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="also write the report as JSON here")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja", help="dashboard language")
    parser.add_argument("--window", default="1600x1200", help="browser window WxH")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per wait")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget fails")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sentences = mapped_sentences(PARAGRAPHS)
    report: dict[str, Any] = {
        "meta": {
            "runs": args.runs,
            "sentences": len(sentences),
            "window": args.window,
            "lang": args.lang,
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "git": bench.git_state(),
        },
        "runs": [],
    }
    error = None
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as logs:
        try:
            port = free_port()
            command = serve_command(port, "--host", "127.0.0.1", "--lang", args.lang)
            with contextlib.ExitStack() as stack:
                server = stack.enter_context(
                    local_server(
                        command,
                        port=port,
                        log=Path(logs) / "dashboard.log",
                        timeout=args.timeout,
                        stop_timeout=10,
                    )
                )
                one_run(server.url, sentences[:2], args)  # warm-up: the server's caches
                for index in range(args.runs):
                    report["runs"].append(one_run(server.url, sentences, args))
                    print(f"run {index + 1}/{args.runs} done", file=sys.stderr, flush=True)
        except Exception as exc:  # report what was measured, then fail
            error = f"{type(exc).__name__}: {exc}"
    report["meta"]["runs_done"] = len(report["runs"])
    report["meta"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    if report["runs"]:
        report["summary"] = summarise(report["runs"])
        report["budgets"] = budgets(report["summary"])
        print(render(report))
    if error:
        report["error"] = error
        print(f"measurement failed: {error}", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nJSON report: {args.out}")
    if error:
        return 2
    failed = any(v is not None and v > limit for _, _, v, limit in report.get("budgets", []))
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
