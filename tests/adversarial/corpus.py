"""The adversarial corpus: hostile scenario files, knowledge files and URL queries, and a child
process that feeds them to the geodata entry points one by one and reports what each cost.

Small inputs are files in files/; large ones are generated here at run time (written in
chunks, so the generator itself stays small in memory). Run the child only through
limited.run_limited (test_adversarial.py, probe.py): it is the one place a missing guard shows.

    python tests/adversarial/corpus.py ENTRY WORKDIR [CASE ...]

prints one JSON line per case: its messages, whether the state stayed as it was, the seconds
the call took and the peak RSS before and after it.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILES = Path(__file__).resolve().parent / "files"
REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE_SEEDS = REPO / "seeds" / "knowledge"
MB = 2**20


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, and a fragment its message must contain."""

    name: str
    expect: str
    make: Callable[[Path], Path]  # writes the input under a work directory; returns its path
    about: str = ""


def committed(file_name: str) -> Callable[[Path], Path]:
    return lambda _workdir: FILES / file_name


def generated(file_name: str, chunks: Callable[[], Iterator[str]]) -> Callable[[Path], Path]:
    def make(workdir: Path) -> Path:
        path = workdir / file_name
        with path.open("w", encoding="utf-8") as out:
            for chunk in chunks():
                out.write(chunk)
        return path

    return make


def repeat(head: str, body: str, times: int, tail: str = "") -> Callable[[], Iterator[str]]:
    def chunks() -> Iterator[str]:
        yield head
        block = body * 1000
        for _ in range(times // 1000):
            yield block
        yield body * (times % 1000)
        yield tail

    return chunks


def _deep_block_mapping(levels: int) -> Callable[[], Iterator[str]]:
    def chunks() -> Iterator[str]:
        for level in range(levels):
            yield "  " * level + "a:\n"
        yield "  " * levels + "x\n"

    return chunks


# --- scenario files (the upload, `export --file`, `validate FILE`) ---------------------------

SCENARIO_CASES = [
    Case(
        "alias_bomb_8", "expand to more than", committed("alias_bomb_8.yaml"), "8 levels x 9 wide"
    ),
    Case(
        "alias_bomb_9", "expand to more than", committed("alias_bomb_9.yaml"), "9 levels x 9 wide"
    ),
    Case("alias_bomb_groupings", "expand to more than", committed("alias_bomb_groupings.yaml")),
    Case(
        "alias_bomb_unknown_field",
        "expand to more than",
        committed("alias_bomb_unknown_field.yaml"),
    ),
    Case(
        "billion_laughs", "expand to more than", committed("billion_laughs.yaml"), "10 x 9 levels"
    ),
    Case(
        "billion_laughs_mappings", "expand to more than", committed("billion_laughs_mappings.yaml")
    ),
    Case("merge_key_bomb", "expand to more than", committed("merge_key_bomb.yaml"), "<<: [*m, …]"),
    Case("many_aliases", "aliases", committed("many_aliases.yaml"), "1000 aliases of a word"),
    Case("recursive_alias", "contains it", committed("recursive_alias.yaml")),
    Case("recursive_mapping", "contains it", committed("recursive_mapping.yaml")),
    Case("deep_flow_nesting", "nested", committed("deep_flow_nesting.yaml"), "5000 levels"),
    Case("unclosed_nesting", "nested", committed("unclosed_nesting.yaml"), "600 x '['"),
    Case("deep_block_nesting", "nested", generated("deep.yaml", _deep_block_mapping(300))),
    Case("long_integer", "digits", committed("long_integer.yaml"), "5000 digits"),
    Case("long_tag", "tag", committed("long_tag.yaml"), "a 3000-character tag"),
    Case("python_tag", "tag", committed("python_tag.yaml"), "!!python/object/apply"),
    Case("many_errors", "more problem", committed("many_errors.yaml"), "2000 bad items"),
    Case(
        "huge_scalar",
        "200 characters",
        generated("huge_scalar.yaml", repeat("title_en: ", "x", 150_000, "\n")),
        "a 150 KB title",
    ),
    Case(
        "wide_list",
        "values",
        generated("wide_list.yaml", repeat("groupings: [", "a,", 60_000, "a]\n")),
        "60 000 items",
    ),
    Case(
        "many_keys",
        "values",
        generated("many_keys.yaml", repeat("", "k: 1\n", 30_000)),
        "30 000 keys",
    ),
    Case(
        "oversized_scalar",
        "larger than",
        generated("big_scalar.yaml", repeat("title_en: ", "x", 1_000_000, "\n")),
        "1 MB",
    ),
    Case(
        "oversized_document",
        "larger than",
        generated("big.yaml", repeat("groupings:\n", "- a\n", 12_500_000)),
        "50 MB of list items",
    ),
]
# what only a file can be (text reaches Scenario.from_yaml already decoded)
FILE_ONLY_CASES = [
    Case("not_utf8", "UTF-8", committed("not_utf8.yaml")),
    Case("endless_file", "larger than", lambda _workdir: Path("/dev/zero"), "/dev/zero"),
]


# --- knowledge directories (`validate DIR`, the knowledge base at start-up) -------------------


def knowledge_with(file_name: str, chunks: Callable[[], Iterator[str]]) -> Callable[[Path], Path]:
    """A copy of the bundled knowledge base with one file replaced."""

    def make(workdir: Path) -> Path:
        directory = workdir / f"knowledge-{file_name}-{id(chunks)}"
        shutil.copytree(KNOWLEDGE_SEEDS, directory)
        generated(file_name, chunks)(directory)
        return directory

    return make


def _knowledge_bomb() -> Iterator[str]:
    yield "x-a0: &a0 [{paragraph: 1, quote_ja: NATO}]\n"
    for level in range(1, 9):
        yield f"x-a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]\n"
    yield "actors:\n  - {id: JPN, name_ja: 日本, name_en: Japan, basis: stated, citations: *a8}\n"


KNOWLEDGE_CASES = [
    Case(
        "knowledge_alias_bomb",
        "expand to more than",
        knowledge_with("actors.yaml", _knowledge_bomb),
    ),
    Case(
        "knowledge_oversized",
        "larger than",
        knowledge_with("events.yaml", repeat("events:\n", "- {id: e}\n", 5_000_000)),
        "50 MB of records",
    ),
    Case(
        "knowledge_deep_nesting",
        "nested",
        knowledge_with("regions.yaml", repeat("regions: ", "[", 100_000)),
    ),
]


# --- URL queries (the address bar, `export --state`) -------------------------------------------

QUERY_CASES = [
    Case(
        "query_100k_unknown_layers",
        "characters long",
        generated("q1.txt", lambda: iter(["layers=", ",".join(f"x{i}" for i in range(100_000))])),
        "0.7 MB, as in the issue",
    ),
    Case(
        "query_100k_unknown_parameters",
        "characters long",
        generated("q2.txt", lambda: iter(["&".join(f"p{i}=1" for i in range(100_000))])),
    ),
    Case(
        "query_2mb_value", "characters long", generated("q3.txt", repeat("focus=", "x", 2_000_000))
    ),
    Case(
        "query_long_list",
        "at most",
        generated("q4.txt", lambda: iter(["layers=", ",".join(f"x{i}" for i in range(1000))])),
        "1000 ids in 6 KB",
    ),
    Case(
        "query_many_unknown_items",
        "more",
        generated("q5.txt", lambda: iter(["layers=", ",".join(f"x{i}" for i in range(90))])),
    ),
    Case(
        "query_many_unknown_parameters",
        "more",
        generated("q6.txt", lambda: iter(["&".join(f"p{i}=1" for i in range(900))])),
    ),
    Case("query_repeated_key", "language", generated("q7.txt", repeat("", "lang=fr&", 900))),
]

ENTRIES: dict[str, list[Case]] = {
    "scenario": SCENARIO_CASES,
    # over 200 KB the dashboard refuses an upload itself, before geodata sees it
    "upload": [c for c in SCENARIO_CASES if not c.name.startswith("oversized")],
    "scenario-file": SCENARIO_CASES + FILE_ONLY_CASES,
    "knowledge": KNOWLEDGE_CASES,
    "query": QUERY_CASES,
}


# --- the command line: `alliance-atlas validate PATH`, `alliance-atlas export --file PATH` ----------

VALID_SCENARIO = Case(
    "valid_scenario", "ok", lambda _workdir: REPO / "seeds/scenarios/threats_360.yaml"
)
_BY_NAME = {case.name: case for cases in ENTRIES.values() for case in cases}
CLI_RUNS: list[tuple[str, Case]] = [
    ("validate", _BY_NAME["alias_bomb_8"]),
    ("validate", _BY_NAME["alias_bomb_9"]),
    ("validate", _BY_NAME["oversized_document"]),
    ("validate", _BY_NAME["endless_file"]),
    ("validate", _BY_NAME["knowledge_oversized"]),
    ("export", _BY_NAME["alias_bomb_9"]),
    ("export", _BY_NAME["endless_file"]),
]


def cli_args(verb: str, case: Case, workdir: Path) -> list[str]:
    """The command that feeds `case` to `alliance-atlas VERB`."""
    path = str(case.make(workdir))
    if verb == "validate":
        return [sys.executable, "-m", "dashboard", "validate", path]
    out = str(workdir / "never-written.png")
    return [sys.executable, "-m", "dashboard", "export", "--file", path, "--out", out]


# --- the child: run each case through one entry point ------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Entry:
    """Calls one entry point; returns (messages, whether the state stayed as it was)."""

    def __init__(self, entry: str, workdir: Path) -> None:
        self.entry = entry
        if entry == "upload":
            from dashboard.app import create_app
            from geodata.scenario import Scenario

            self.service = create_app(lang="en").view_service
            self.view = self.service.views.view_data(Scenario(layers=("threats",), lang="en"))
        elif entry == "scenario-file":
            from geodata.validate import load_knowledge

            self.knowledge = load_knowledge()
        elif entry == "query":
            from geodata.scenario import load_presets

            self.presets = load_presets()
        self.warm_up(workdir)

    def warm_up(self, workdir: Path) -> None:
        """One valid input first, so that imports and caches are not counted against a case."""
        if self.entry == "query":
            self.query("scenario=threats_360&lang=en&layers=threats")
        elif self.entry == "knowledge":
            self.knowledge(KNOWLEDGE_SEEDS)
        else:
            self(self.prepare(VALID_SCENARIO.make(workdir)))

    def prepare(self, path: Path) -> Any:
        """The input as the entry point takes it (read here, before the measured call)."""
        if self.entry in ("scenario", "query"):
            return path.read_text(encoding="utf-8")
        if self.entry == "upload":
            import base64

            return "data:application/x-yaml;base64," + base64.b64encode(path.read_bytes()).decode()
        return path

    def __call__(self, given: Any) -> tuple[list[str], bool]:
        return getattr(self, self.entry.replace("-", "_"))(given)

    def scenario(self, text: str) -> tuple[list[str], bool]:
        from geodata.scenario import Scenario, ScenarioError

        try:
            Scenario.from_yaml(text)
        except ScenarioError as error:
            return [f"line {line}: {message}" for line, message in error.problems], True
        return [], False

    def upload(self, contents: str) -> tuple[list[str], bool]:
        from dash._utils import to_json

        from dashboard.callbacks import dash_value

        out = self.service.actions.sync(
            "upload", None, {}, self.view, upload=(contents, "bad.yaml")
        )
        unchanged = set(out) == {"upload-message.children"}
        message = dash_value(out.get("upload-message.children"))
        return _texts(json.loads(to_json(message))), unchanged

    def scenario_file(self, path: Path) -> tuple[list[str], bool]:
        from geodata.validate import validate_scenario_file

        return [str(p) for p in validate_scenario_file(path, self.knowledge)], True

    def knowledge(self, directory: Path) -> tuple[list[str], bool]:
        from geodata.validate import read_knowledge

        found, problems, _ = read_knowledge(directory)
        return [str(p) for p in problems], found is None

    def query(self, text: str) -> tuple[list[str], bool]:
        from geodata.scenario import Scenario

        scenario, notices = Scenario.from_query(text, self.presets)
        return notices, scenario == Scenario()


def _texts(component: Any) -> list[str]:
    """The text lines of a rendered Dash component tree (its list items, or its strings)."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list):
        return [text for child in component for text in _texts(child)]
    if isinstance(component, dict):
        props = component.get("props", {})
        if component.get("type") == "Li":
            return [" ".join(_texts(props.get("children")))]
        return _texts(props.get("children"))
    return []


def run_child(entry: str, workdir: Path, names: list[str]) -> None:
    call = _Entry(entry, workdir)  # warmed up: imports done, one valid input read
    for case in ENTRIES[entry]:
        if names and case.name not in names:
            continue
        given = call.prepare(case.make(workdir))
        before = _peak_mb()
        start = time.perf_counter()
        try:
            messages, unchanged = call(given)
            error = None
        except BaseException as raised:  # reported, not raised: the parent judges every case
            messages, unchanged, error = [], False, f"{type(raised).__name__}: {str(raised)[:300]}"
        seconds = time.perf_counter() - start
        del given
        report = {
            "case": case.name,
            "messages": messages,
            "unchanged": unchanged,
            "error": error,
            "seconds": seconds,
            "rss_before_mb": before,
            "rss_after_mb": _peak_mb(),
        }
        print(json.dumps(report, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    run_child(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])
