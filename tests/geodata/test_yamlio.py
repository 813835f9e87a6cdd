"""The bounded YAML loader: its limits counted exactly, with libyaml's parser and PyYAML's own,
and set loose enough for the bundled files and the largest valid scenario.

Inputs here are small (the hostile ones at full size run in tests/adversarial/, under a memory
ceiling): each limit is exercised by lowering it, not by a document that would need it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from geodata import yamlio
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.scenario import (
    MAX_LIST_ITEMS,
    MAX_QUERY_CHARS,
    SCENARIO_LIMITS,
    SCENARIOS_DIR,
    Scenario,
)
from geodata.validate import KNOWLEDGE_LIMITS
from geodata.yamlio import YamlError, YamlLimits, load_with_lines, read_text

ROOMY = YamlLimits("a test file", max_bytes=10_000, max_aliases=100, max_values=100, max_depth=10)
BUNDLED = sorted(KNOWLEDGE_DIR.glob("*.yaml")) + sorted(SCENARIOS_DIR.glob("*.yaml"))
PARSERS = {
    "libyaml": yamlio._Loader,
    "python": yamlio.loader_class(yamlio._PythonEvents),
}


@pytest.fixture(params=sorted(PARSERS))
def parser(request, monkeypatch) -> str:
    monkeypatch.setattr(yamlio, "_Loader", PARSERS[request.param])
    return request.param


def test_the_fast_parser_is_in_use():
    assert yamlio.CParser is not None, "PyYAML without libyaml: every read is ~10x slower"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_parsers_read_the_bundled_files_alike(path: Path):
    text = path.read_text(encoding="utf-8")
    results = []
    for loader in PARSERS.values():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(yamlio, "_Loader", loader)
            results.append(load_with_lines(text, KNOWLEDGE_LIMITS))
    assert results[0] == results[1]


# each document's values counted by hand: a list or mapping is one, plus what it holds; an
# alias counts as everything it repeats
COUNTED = {
    "[a, b]": 3,
    "{a: 1, b: [2, 3]}": 7,
    "x: &x [a, b]\ny: *x\n": 9,
    "x: &x [a, b]\ny: &y [*x, *x]\nz: [*y, *y]\n": 1 + (1 + 3) + (1 + 7) + (1 + 15),
    "a: 1\n<<: {b: 2}\n": 7,
}


@pytest.mark.parametrize(("text", "values"), COUNTED.items())
def test_a_document_of_exactly_the_limit_is_read_and_one_more_value_is_refused(
    parser, text: str, values: int
):
    load_with_lines(text, replace(ROOMY, max_values=values))
    with pytest.raises(YamlError, match=f"more than {values - 1} values"):
        load_with_lines(text, replace(ROOMY, max_values=values - 1))


def test_an_alias_bomb_stops_a_value_past_the_limit(parser, monkeypatch):
    levels = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    levels += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 6)]
    text = "\n".join(levels) + "\nlayers: *a5\n"  # 9**6 = 531 441 values once expanded
    built = []
    monkeypatch.setattr(
        yamlio.SafeConstructor, "construct_document", lambda *args: built.append(args)
    )
    with pytest.raises(
        YamlError, match=r"aliases \(\*name\) expand to more than 100 values"
    ) as raised:
        load_with_lines(text, ROOMY)
    assert raised.value.line == 2  # a1's ninth *a0 (12 + 2 + 9 * 10 values so far) crosses 100
    assert built == []  # refused while composing: no object was built


def test_aliases_beyond_the_budget_are_refused(parser):
    text = "x: &x a\nl: [" + ", ".join(["*x"] * 6) + "]\n"
    load_with_lines(text, replace(ROOMY, max_aliases=6))
    with pytest.raises(YamlError, match="more than 5 aliases") as raised:
        load_with_lines(text, replace(ROOMY, max_aliases=5))
    assert raised.value.line == 2


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "&a {x: {y: *a}}\n"])
def test_an_alias_inside_its_own_anchor_is_refused(parser, text: str):
    with pytest.raises(YamlError, match="refers to a value that contains it"):
        load_with_lines(text, ROOMY)


def test_nesting_deeper_than_the_limit_is_refused(parser):
    load_with_lines("[[[x]]]", replace(ROOMY, max_depth=4))  # 3 lists and a scalar
    with pytest.raises(YamlError, match="nested more than 3 levels"):
        load_with_lines("[[[x]]]", replace(ROOMY, max_depth=3))
    with pytest.raises(YamlError, match="nested more than 10 levels"):
        load_with_lines("a:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, 20)), ROOMY)


def test_the_size_limit_counts_utf8_bytes_before_parsing(parser, monkeypatch):
    monkeypatch.setattr(yamlio, "_Loader", None)  # never reached
    text = "title_ja: " + "界" * 330  # 10 + 990 bytes, 340 characters
    for limit in (999, 340):  # the characters fit both, the bytes neither
        with pytest.raises(YamlError, match=f"larger than the {limit} bytes a test file may have"):
            load_with_lines(text, replace(ROOMY, max_bytes=limit))


def test_read_text_reads_one_byte_past_the_limit(tmp_path: Path):
    limits = replace(ROOMY, max_bytes=1000)
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"a: " + b"x" * 997)
    assert len(read_text(exact, limits)) == 1000
    exact.write_bytes(b"a: " + b"x" * 998)
    with pytest.raises(YamlError, match="larger than"):
        read_text(exact, limits)
    with pytest.raises(YamlError, match="larger than"):
        read_text(Path("/dev/zero"), replace(ROOMY, max_bytes=10_000_000))


def test_read_text_names_the_line_of_a_byte_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\ntitle_en: café\n".encode("latin-1"))
    with pytest.raises(YamlError, match="not UTF-8") as raised:
        read_text(path, ROOMY)
    assert raised.value.line == 2
    with pytest.raises(YamlError, match="cannot read the file: No such file"):
        read_text(tmp_path / "missing.yaml", ROOMY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b\x00c\n", "character YAML does not allow"),
        ("a: \ud800\n", "the text holds"),
        ("a: [1,\n  b: c\n", "YAML syntax error"),
        ("---\na: 1\n---\nb: 2\n", "expected a single document in the stream, but found another"),
        ("v: " + "9" * 5000 + "\n", "more than 4,300 digits"),
        ("t: !<tag:" + "x" * 5000 + "> v\n", "the tag 'tag:xxxxxxxx"),
    ],
)
def test_each_refusal_is_one_short_line(parser, text: str, expected: str):
    with pytest.raises(YamlError) as raised:
        load_with_lines(text, ROOMY)
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message and len(message) < 200
    assert "<unicode string>" not in message and "Error" not in message


# --- the limits fit what the project reads ---------------------------------------------------


def _measure(text: str) -> tuple[int, int, int, int]:
    """(bytes, aliases, values, depth) of a document, read with limits it cannot reach."""
    loader = yamlio._Loader(text, replace(KNOWLEDGE_LIMITS, max_values=10**9))
    depth = 0
    compose = loader.compose_node

    def deepest(parent, index):
        nonlocal depth
        depth = max(depth, loader.depth + 1)
        return compose(parent, index)

    loader.compose_node = deepest
    loader.get_single_node()
    return len(text.encode()), loader.aliases, loader.expanded, depth


@pytest.mark.parametrize("path", sorted(KNOWLEDGE_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_the_knowledge_files_use_a_tenth_of_their_limits(path: Path):
    size, aliases, values, depth = _measure(path.read_text(encoding="utf-8"))
    assert size * 10 <= KNOWLEDGE_LIMITS.max_bytes
    assert aliases * 10 <= KNOWLEDGE_LIMITS.max_aliases
    assert values * 10 <= KNOWLEDGE_LIMITS.max_values
    assert depth * 2 <= KNOWLEDGE_LIMITS.max_depth


def test_the_largest_valid_scenario_fits_the_file_and_url_limits():
    """Every text at its longest, and as many grouping ids of the longest length as allowed."""
    ids = tuple(f"{i:03d}_" + "g" * 60 for i in range(MAX_LIST_ITEMS))
    scenario = Scenario(
        id="x" * 64,
        title_ja="界" * 200,
        title_en="x" * 200,
        description_ja="界" * 1000,
        description_en="x" * 1000,
        groupings=ids,
        focus="F" * 64,
        **{"from": "2024-01-01", "to": "2024-12-31"},
    )
    text = scenario.to_yaml()
    size, aliases, values, depth = _measure(text)
    assert aliases == 0
    assert size * 10 <= SCENARIO_LIMITS.max_bytes
    assert values * 10 <= SCENARIO_LIMITS.max_values
    assert depth * 4 <= SCENARIO_LIMITS.max_depth
    assert Scenario.from_yaml(text) == scenario
    in_url = Scenario(groupings=ids, focus="F" * 64, **{"from": "2024-01-01", "to": "2024-12-31"})
    assert len(in_url.to_query()) <= MAX_QUERY_CHARS
    assert Scenario.from_query(in_url.to_query()) == (in_url, [])
