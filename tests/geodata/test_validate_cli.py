"""`alliance-atlas validate` on a corrupted copy of the knowledge base or a bad scenario file.

Each case breaks one thing in its own copy and expects exit 1, a `PATH:LINE: message` line
pointing at the broken value (its line found by searching the corrupted text for the
inserted token), no traceback, and no file written.  The command (dashboard.cli.main, its
output and exit status captured) runs once per case in this process (module fixture), and the
installed console script once; further variants call validate_paths directly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from commands import run_in_process, run_installed

from geodata.article import ARTICLE_PATH, parse_article
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.scenario import SCENARIOS_DIR
from geodata.validate import check_knowledge, read_knowledge, validate_paths

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>.+)$")


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(root.rglob("*"))
    }


def replace_once(path: Path, old: str, new: str, token: str) -> int:
    """Replace the single `old` in the file by `new`; return the line where `token` now is."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {path.name}"
    before, after = text.split(old)
    path.write_text(before + new + after, encoding="utf-8")
    assert token in new
    return (before + new[: new.index(token)]).count("\n") + 1


def token_line(text: str, token: str) -> int:
    return text[: text.index(token)].count("\n") + 1


def find_hits(lines: list[str], path: Path, line_numbers: set[int], fragments) -> list[str]:
    hits = []
    for text in lines:
        match = LINE.match(text)
        assert match, f"not of the form PATH:LINE: message: {text!r}"
        if (
            Path(match["path"]) == path
            and int(match["line"]) in line_numbers
            and all(f in match["message"] for f in fragments)
        ):
            hits.append(text)
    return hits


def assert_reported(
    result: subprocess.CompletedProcess[str], path: Path, lines: set[int], fragments
) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    reported = result.stdout.splitlines()
    assert reported, output
    assert find_hits(reported, path, lines, fragments), (
        f"expected {path}:{sorted(lines)}: …{fragments} in:\n{result.stdout}"
    )
    assert re.fullmatch(r"\d+ problem\(s\) found\n", result.stderr)


@dataclass(frozen=True)
class Corruption:
    file: str
    old: str
    new: str
    token: str
    fragments: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioCase:
    text: str
    token: str
    fragments: tuple[str, ...]


KOR_AP4 = "      - {iso3: KOR, basis: stated, citations: *ap4_list}"

# one real CLI run each: the brief's list of things that must be caught
CLI_KNOWLEDGE = {
    "unknown_iso": Corruption(
        "groupings.yaml", KOR_AP4, KOR_AP4.replace("KOR", "JAP"), "JAP", ("JAP", "did you mean JPN")
    ),
    "paragraph_13": Corruption(
        "relations.yaml",
        "      - paragraph: 6\n        footnotes: [13]",
        "      - paragraph: 13\n        footnotes: [13]",
        "paragraph: 13",
        ("paragraph 13",),
    ),
    "footnote_99": Corruption(
        "relations.yaml",
        "        footnotes: [10]",
        "        footnotes: [99]",
        "[99]",
        ("footnote 99",),
    ),
    "quote_not_in_article": Corruption(
        "actors.yaml",
        "quote_ja: ロシアによる東方からの脅威",
        "quote_ja: ロシアによる西方からの脅威",
        "quote_ja",
        ("not found verbatim",),
    ),
    "inferred_without_reason": Corruption(
        "relations.yaml",
        "    label_en: Dual-use technology (semiconductors)\n    basis: stated",
        "    label_en: Dual-use technology (semiconductors)\n    basis: inferred",
        "basis: inferred",
        ("'inferred'", "reason"),
    ),
    "external_without_reason": Corruption(
        "regions.yaml",
        "    basis: external\n    reason: the article names the Baltic Sea as part of NATO's north; its limits are conventional geography\n",
        "    basis: external\n",
        "basis: external",
        ("'external'", "reason"),
    ),
    "member_without_geometry": Corruption(
        "groupings.yaml", KOR_AP4, KOR_AP4.replace("KOR", "GIB"), "GIB", ("GIB", "no geometry")
    ),
    "member_not_an_actor": Corruption(
        "groupings.yaml",
        KOR_AP4,
        KOR_AP4.replace("KOR", "IND"),
        "IND",
        ("IND", "not in actors.yaml"),
    ),
    "duplicate_id": Corruption(
        "relations.yaml",
        "  - id: irn_rus_munitions",
        "  - id: prk_rus_munitions",
        "prk_rus_munitions",
        ("duplicate id 'prk_rus_munitions'",),
    ),
    "month_13": Corruption(
        "relations.yaml",
        "    date: 2024-06-19",
        '    date: "2024-13-01"',
        "2024-13-01",
        ("malformed date", "2024-13-01"),
    ),
    "february_30": Corruption(
        "events.yaml",
        "    date: 2024-07-23",
        '    date: "2024-02-30"',
        "2024-02-30",
        ("malformed date", "2024-02-30"),
    ),
    "yaml_syntax_error": Corruption(
        "regions.yaml",
        "    name_en: Baltic Sea\n",
        "    name_en: Baltic Sea: oops\n",
        "name_en",
        ("YAML syntax error",),
    ),
    # the article sentence by sentence, and its own certainty
    "sentence_neither_mapped_nor_explained": Corruption(
        "sentences.yaml",
        "    reason: 'the article''s outline of its own approach: it says what the paper will "
        "discuss and claims nothing a map or a record could carry'\n",
        "    reason: ' '\n",
        "reason: ' '",
        ("sentence P2.2 is neither mapped nor explained",),
    ),
    "unknown_sentence_id": Corruption(
        "sentences.yaml",
        "  - id: P2.2\n",
        "  - id: P2.9\n",
        "P2.9",
        ("unknown sentence id P2.9", "P2.1…P2.2"),
    ),
    "hedge_not_in_its_sentence": Corruption(
        "relations.yaml",
        "        hedge_ja: 認知されつつある\n",
        "        hedge_ja: と見られる\n",
        "と見られる",
        ("hedge_ja 'と見られる' is not in the quote's sentence P6.3",),
    ),
    "hedged_modality_without_hedge": Corruption(
        "relations.yaml",
        "        modality: assessed\n        hedge_ja: 認知されつつある\n",
        "        modality: assessed\n",
        "modality: assessed",
        ("modality 'assessed' needs hedge_ja",),
    ),
}
CLI_SCENARIOS = {
    "unknown_layer": ScenarioCase(
        "title_en: Bad layer\nbasis: stated\nlayers: [value_community, nope]\n",
        "layers:",
        ("layers",),
    ),
    "unknown_grouping": ScenarioCase(
        "title_en: Bad grouping\nbasis: stated\ngroupings: [nato, five_eye]\n",
        "groupings:",
        ("five_eye", "did you mean 'five_eyes'"),
    ),
    "unknown_field": ScenarioCase(
        "title_en: Bad field\nbasis: stated\nlayerz: [events]\n",
        "layerz",
        ("layerz", "did you mean 'layers'"),
    ),
    "not_a_mapping": ScenarioCase("- value_community\n- events\n", "- value", ("mapping",)),
}
# the same date corruptions unquoted (how dates are written in the bundled YAML)
CLI_UNQUOTED_DATES = {
    "month_13_unquoted": Corruption(
        "relations.yaml",
        "    date: 2024-06-19",
        "    date: 2024-13-01",
        "2024-13-01",
        ("2024-13-01",),
    ),
    "february_30_unquoted": Corruption(
        "events.yaml", "    date: 2024-07-23", "    date: 2024-02-30", "2024-02-30", ("2024-02-30",)
    ),
}
FROM_AFTER_TO = "title_en: x\nfrom: 2024-08-01\nto: 2024-07-01\n"


@dataclass
class Run:
    path: Path  # the corrupted file
    lines: set[int]  # where the problem must be reported
    fragments: tuple[str, ...]
    root: Path
    before: dict
    after: dict | None = None
    result: subprocess.CompletedProcess[str] | None = None


def prepare_knowledge(root: Path, corruption: Corruption) -> tuple[Path, Run]:
    directory = root / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    path = directory / corruption.file
    line = replace_once(path, corruption.old, corruption.new, corruption.token)
    return directory, Run(path, {line}, corruption.fragments, root, snapshot(root))


def prepare_scenario(root: Path, case: ScenarioCase) -> tuple[Path, Run]:
    path = root / "scenarios" / "my_view.yaml"
    path.parent.mkdir()
    path.write_text(case.text, encoding="utf-8")
    return path, Run(
        path, {token_line(case.text, case.token)}, case.fragments, root, snapshot(root)
    )


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> dict[str, Run]:
    """Every CLI case prepared in its own directory and run there."""
    jobs: dict[str, tuple[list[Path], Run]] = {}
    for name, corruption in {**CLI_KNOWLEDGE, **CLI_UNQUOTED_DATES}.items():
        target, run = prepare_knowledge(tmp_path_factory.mktemp(name), corruption)
        jobs[name] = ([target], run)
    for name, case in CLI_SCENARIOS.items():
        target, run = prepare_scenario(tmp_path_factory.mktemp(name), case)
        jobs[f"scenario_{name}"] = ([target], run)
    target, run = prepare_scenario(
        tmp_path_factory.mktemp("from_after_to"), ScenarioCase(FROM_AFTER_TO, "from", ())
    )
    jobs["scenario_from_after_to"] = ([target], run)
    clean = tmp_path_factory.mktemp("clean")
    shutil.copytree(KNOWLEDGE_DIR, clean / "knowledge")
    jobs["clean_copy"] = ([clean / "knowledge"], Run(clean, set(), (), clean, snapshot(clean)))
    bundled = tmp_path_factory.mktemp("bundled")
    jobs["bundled"] = ([], Run(bundled, set(), (), bundled, snapshot(bundled)))
    jobs["bundled_explicit"] = (
        [KNOWLEDGE_DIR, *sorted(SCENARIOS_DIR.glob("*.yaml"))],
        Run(bundled, set(), (), bundled, snapshot(bundled)),
    )
    for paths, run in jobs.values():
        run.result = run_in_process("validate", *paths, cwd=run.root)
        run.after = snapshot(run.root)
    return {name: run for name, (_, run) in jobs.items()}


@pytest.mark.parametrize("name", sorted(CLI_KNOWLEDGE))
def test_cli_reports_corrupted_knowledge_at_its_line(cli_runs, name: str) -> None:
    run = cli_runs[name]
    assert run.after == run.before, "validate wrote something"
    assert_reported(run.result, run.path, run.lines, run.fragments)


@pytest.mark.parametrize("name", sorted(CLI_SCENARIOS))
def test_cli_reports_bad_scenario_at_its_line(cli_runs, name: str) -> None:
    run = cli_runs[f"scenario_{name}"]
    assert run.after == run.before, "validate wrote something"
    assert_reported(run.result, run.path, run.lines, run.fragments)


def test_cli_reports_from_after_to(cli_runs) -> None:
    run = cli_runs["scenario_from_after_to"]
    assert run.after == run.before
    output = run.result.stdout + run.result.stderr
    assert run.result.returncode == 1 and "Traceback" not in output, output
    (line,) = run.result.stdout.splitlines()
    assert LINE.match(line) and line.startswith(f"{run.path}:")
    assert "'from' (2024-08-01) is after 'to' (2024-07-01)" in line


@pytest.mark.parametrize("name", sorted(CLI_UNQUOTED_DATES))
def test_cli_reports_unquoted_impossible_date(cli_runs, name: str) -> None:
    run = cli_runs[name]
    assert_reported(run.result, run.path, run.lines, run.fragments)


@pytest.mark.parametrize("name", ["clean_copy", "bundled", "bundled_explicit"])
def test_cli_accepts_clean_data(cli_runs, name: str) -> None:
    run = cli_runs[name]
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    assert run.result.stdout == "ok: knowledge base and scenarios are valid\n"
    assert run.result.stderr == ""
    assert run.after == run.before


def test_the_installed_command_reports_a_corrupted_knowledge_base(tmp_path: Path) -> None:
    """The console script itself: its exit status, its two streams and the files it leaves."""
    directory, run = prepare_knowledge(tmp_path, CLI_KNOWLEDGE["unknown_iso"])
    result = run_installed("validate", directory, cwd=tmp_path)
    assert snapshot(tmp_path) == run.before, "validate wrote something"
    assert_reported(result, run.path, run.lines, run.fragments)


# --- more variants, through validate_paths in-process (what the command prints) --------------

MORE_KNOWLEDGE = {
    "footnote_99_without_paragraph": Corruption(
        "events.yaml",
        "      - footnotes: [13]\n        quote_ja: China, Russia",
        "      - footnotes: [99]\n        quote_ja: China, Russia",
        "[99]",
        ("footnote 99",),
    ),
    "quote_in_another_paragraph": Corruption(
        "actors.yaml",
        "      - paragraph: 4\n        footnotes: [5]\n        quote_ja: ハンガリーは",
        "      - paragraph: 3\n        footnotes: [5]\n        quote_ja: ハンガリーは",
        "quote_ja",
        ("P4", "cite paragraph 4"),
    ),
    "inferred_reason_removed": Corruption(
        "relations.yaml",
        '    basis: inferred\n    reason: the sentence\'s "in exchange for missile and nuclear weapons technology" may govern Iran as well as North Korea; the article does not separate them\n',
        "    basis: inferred\n",
        "basis: inferred",
        ("'inferred'", "reason"),
    ),
    "blank_reason": Corruption(
        "domains.yaml",
        "      - actor: RUS\n        basis: inferred\n        reason: the article has Russia and China exploit disinformation-fed sentiment in the south; it does not attribute cognitive attacks to them in words\n",
        '      - actor: RUS\n        basis: inferred\n        reason: "  "\n',
        "basis: inferred",
        ("'inferred'", "reason"),
    ),
    "external_membership_without_reason": Corruption(
        "groupings.yaml",
        "      - {iso3: ALB, basis: external, reason: *nato32reason, citations: *nato32}",
        "      - {iso3: ALB, basis: external, citations: *nato32}",
        "basis: external",
        ("'external'", "reason"),
    ),
    "external_place_without_reason": Corruption(
        "events.yaml",
        "name_en: Silicon Valley, basis: stated}",
        "name_en: Silicon Valley, basis: external}",
        "basis: external",
        ("place basis 'external'", "reason"),
    ),
    "relation_end_not_an_actor": Corruption(
        "relations.yaml",
        "    source: CHN\n    target: BLR",
        "    source: CHN\n    target: IND",
        "IND",
        ("IND", "not in actors.yaml"),
    ),
    "domain_actor_unknown_iso": Corruption(
        "domains.yaml",
        "      - {actor: RUS, basis: stated, citations: *cyber}",
        "      - {actor: RUSS, basis: stated, citations: *cyber}",
        "RUSS",
        ("RUSS", "did you mean RUS"),
    ),
    "duplicate_id_across_files": Corruption(
        "regions.yaml", "  - id: mediterranean", "  - id: nato", "nato", ("duplicate id 'nato'",)
    ),
    "partial_month_13": Corruption(
        "relations.yaml", "    date: 2015-05", "    date: 2015-13", "2015-13", ("malformed date",)
    ),
    "yaml_tab": Corruption(
        "regions.yaml", "    name_en: Baltic Sea\n", "\tname_en: Baltic Sea\n", "\t", ("YAML",)
    ),
    "unknown_threat_region": Corruption(
        "threats.yaml",
        "    regions: [baltic_sea]",
        "    regions: [baltic]",
        "baltic]",
        ("baltic", "did you mean 'baltic_sea'"),
    ),
    "sentence_text_changed": Corruption(
        "sentences.yaml",
        "ゆくことが宿命づけられている。\n",
        "ゆくことが宿命づけられる。\n",
        "宿命づけられる。",
        ("text_ja of P4.3 is not the article's sentence P4.3",),
    ),
    "mapped_sentence_with_a_reason": Corruption(
        "sentences.yaml",
        "overcoming such political difficulties in the future.\n",
        "overcoming such political difficulties in the future.\n    reason: nothing to map\n",
        "reason: nothing to map",
        ("sentence P4.3 is mapped", "drop its reason"),
    ),
    "asserted_citation_with_a_hedge": Corruption(
        "topics.yaml",
        "        modality: projected\n        hedge_ja: 今後\n",
        "        hedge_ja: 今後\n",
        "hedge_ja: 今後",
        ("hedge_ja on an asserted citation",),
    ),
    "quote_across_a_sentence_end": Corruption(
        "topics.yaml",
        "        quote_ja: コンセンサスを旨とする同盟\n",
        "        quote_ja: コンセンサスを旨とする同盟の舵取りを成功へ導いた[6]。32カ国\n",
        "導いた[6]。32カ国",
        ("runs across sentences P4.2 and P4.3",),
    ),
    "quote_in_two_sentences": Corruption(
        "topics.yaml",
        "        quote_ja: コンセンサスを旨とする同盟\n",
        "        quote_ja: ハンガリー\n",
        "quote_ja: ハンガリー",
        ("quote_ja is in P4.1 and P4.2",),
    ),
    "arc_to_a_topic": Corruption(
        "relations.yaml",
        "    placement: at_source\n",
        "    placement: arc\n",
        "placement: arc",
        ("'shared_values' is a topic", "at_source"),
    ),
    "topic_unknown_layer": Corruption(
        "topics.yaml",
        "    layer: ukraine\n    about: [washington_summit, nato, UKR]\n",
        "    layer: ukrain\n    about: [washington_summit, nato, UKR]\n",
        "layer: ukrain",
        ("unknown layer 'ukrain'", "did you mean 'ukraine'"),
    ),
    "topic_about_an_unknown_record": Corruption(
        "topics.yaml",
        "    about: [chn_threat_europe]\n",
        "    about: [chn_threat_eu]\n",
        "chn_threat_eu]",
        ("unknown reference 'chn_threat_eu'", "did you mean 'chn_threat_europe'"),
    ),
    "heading_without_a_gloss": Corruption(
        "headings.yaml",
        "  - text_ja: 図:グローバリズム下における権威主義の膨張(概念図)\n",
        "  - text_ja: 図:グローバリズム下における権威主義の膨張\n",
        "権威主義の膨張\n",
        ("is not a heading, caption or note of the article",),
    ),
    "heading_text_changed": Corruption(
        "headings.yaml",
        "  - text_ja: 全方位への抑止と防衛を目指す軍事同盟\n",
        "  - text_ja: 全方位への抑止と防衛を目指す同盟\n",
        "目指す同盟",
        ("is not a heading, caption or note of the article",),
    ),
    "heading_glossed_twice": Corruption(
        "headings.yaml",
        "  - text_ja: 出典:d-mapsの地図をもとに著者作成\n",
        "  - text_ja: ウクライナ支援にむけた政治的成果\n",
        "ウクライナ支援にむけた政治的成果",
        ("is glossed twice",),
    ),
    "date_basis_without_a_reason": Corruption(
        "events.yaml",
        '    date_basis: inferred\n    date_reason: "the article gives no date; this is the date of footnote 10\'s Reuters report"\n',
        "    date_basis: inferred\n",
        "date_basis: inferred",
        ("date_basis 'inferred' needs a 'date_reason'",),
    ),
}


def assert_problem(problems, path: Path, lines: set[int], fragments) -> None:
    printed = [str(p) for p in problems]
    assert find_hits(printed, path, lines, fragments), (path, lines, fragments, printed)


@pytest.mark.parametrize("name", sorted(MORE_KNOWLEDGE))
def test_more_knowledge_corruptions(tmp_path: Path, name: str) -> None:
    directory, run = prepare_knowledge(tmp_path, MORE_KNOWLEDGE[name])
    problems = validate_paths([directory])
    assert snapshot(tmp_path) == run.before
    assert_problem(problems, run.path, run.lines, run.fragments)


def test_duplicate_member_is_reported(tmp_path: Path) -> None:
    corruption = Corruption(
        "groupings.yaml", KOR_AP4, KOR_AP4.replace("KOR", "NZL"), "NZL", ("NZL", "twice")
    )
    directory, run = prepare_knowledge(tmp_path, corruption)
    text = run.path.read_text(encoding="utf-8")
    first = token_line(text, KOR_AP4.replace("KOR", "NZL"))
    assert_problem(validate_paths([directory]), run.path, {first, *run.lines}, run.fragments)


MORE_SCENARIOS = {
    "unknown_focus": ScenarioCase(
        "title_en: x\nfocus: JAP\n", "focus", ("JAP", "did you mean 'JPN'")
    ),
    "scalar": ScenarioCase("just some text\n", "just", ("mapping",)),
    "bad_basis": ScenarioCase("title_en: x\nlang: en\nbasis: guessed\n", "basis", ("basis",)),
    "quoted_bad_date": ScenarioCase('title_en: x\nfrom: "2024-02-30"\n', "from", ("from",)),
    "yaml_syntax": ScenarioCase(
        "title_en: x\nlayers: [events\nbasis: stated\n", "basis", ("YAML",)
    ),
    "bad_version": ScenarioCase("version: 2\ntitle_en: x\n", "version", ("version",)),
}


@pytest.mark.parametrize("name", sorted(MORE_SCENARIOS))
def test_more_bad_scenarios(tmp_path: Path, name: str) -> None:
    path, run = prepare_scenario(tmp_path, MORE_SCENARIOS[name])
    assert_problem(validate_paths([path]), path, run.lines, run.fragments)


@pytest.mark.parametrize(
    "case",
    [
        ScenarioCase(FROM_AFTER_TO, "to:", ("after",)),
        ScenarioCase(
            "title_en: x\nlayers:\n  - value_community\n  - nope\n", "- nope", ("layers",)
        ),
        ScenarioCase(
            "title_en: x\ngroupings:\n  - nato\n  - five_eye\n", "- five_eye", ("five_eye",)
        ),
    ],
    ids=["from_after_to", "block_layer", "block_grouping"],
)
def test_scenario_problem_points_at_the_bad_value(tmp_path: Path, case: ScenarioCase) -> None:
    path, run = prepare_scenario(tmp_path, case)
    assert_problem(validate_paths([path]), path, run.lines, run.fragments)


def test_misspelled_field_inside_a_citation_is_reported_at_its_line(tmp_path: Path) -> None:
    corruption = Corruption(
        "relations.yaml",
        "        gloss_en: China sustains Russia's war economy",
        "        glos_en: China sustains Russia's war economy",
        "glos_en",
        ("glos_en",),
    )
    directory, run = prepare_knowledge(tmp_path, corruption)
    assert_problem(validate_paths([directory]), run.path, run.lines, run.fragments)


def test_unquoted_impossible_date_in_a_scenario(tmp_path: Path) -> None:
    case = ScenarioCase("title_en: x\nbasis: stated\nfrom: 2024-13-01\n", "from", ("from",))
    path, run = prepare_scenario(tmp_path, case)
    assert_problem(validate_paths([path]), path, run.lines, run.fragments)


# --- places nothing cites: footnotes and paragraphs -------------------------------------------


def test_a_footnote_nothing_cites_needs_a_reason(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    replace_once(
        directory / "groupings.yaml",
        "      - paragraph: 1\n        footnotes: [1]\n",
        "      - paragraph: 1\n",
        "paragraph: 1",
    )
    footnotes = directory / "footnotes.yaml"
    line = token_line(footnotes.read_text(encoding="utf-8"), "{number: 1,")
    assert_problem(
        validate_paths([directory]), footnotes, {line}, ("footnote 1 is cited by no record",)
    )
    replace_once(
        footnotes,
        "  - {number: 1, sources:",
        "  - {number: 1, reason: only the definition NATO gives of itself, sources:",
        "reason",
    )
    assert not [p for p in validate_paths([directory]) if "footnote 1" in p.message]


def test_a_paragraph_nothing_cites_needs_a_reason_for_each_sentence() -> None:
    text = ARTICLE_PATH.read_text(encoding="utf-8")
    extended = text.replace(
        "\n(2024/08/13)", "\n 追加の段落である。二つ目の文である。\n\n(2024/08/13)"
    )
    article = parse_article(extended)
    assert len(article.paragraphs) == 13
    knowledge, problems, source = read_knowledge(KNOWLEDGE_DIR)
    assert knowledge is not None and problems == []
    messages = [p.message for p in check_knowledge(knowledge, source, article)]
    assert any("sentence P13.1 has no note" in m for m in messages), messages
    assert any("paragraph P13 is cited by no record" in m for m in messages), messages


def test_a_new_heading_without_a_gloss_is_reported() -> None:
    text = ARTICLE_PATH.read_text(encoding="utf-8")
    extended = text.replace("\n(2024/08/13)", "\n新たな見出し\n\n(2024/08/13)")
    article = parse_article(extended)
    knowledge, problems, source = read_knowledge(KNOWLEDGE_DIR)
    assert knowledge is not None and problems == []
    messages = [p.message for p in check_knowledge(knowledge, source, article)]
    assert any("the line '新たな見出し' has no gloss" in m for m in messages), messages
    assert [m for m in messages if "gloss" in m] == [
        "the line '新たな見出し' has no gloss: add {text_ja, gloss_en}"
    ]
