"""Every sentence of the article accounted for, with the article's own certainty.

The article is re-split here by hand (not through geodata.sentences), the citations are read as
plain YAML, and which sentence a quote lies in is worked out here too: the checks do not lean on
the code they check. The hedge words are the article's, listed below with the English words a
gloss must keep them with.
"""

from __future__ import annotations

import calendar
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from commands import run_in_process, run_installed
from locations import ARTICLE_PATH, KNOWLEDGE_DIR

# sentences per body paragraph and per commenting footnote, counted by reading the article
SENTENCES_PER_PARAGRAPH = [3, 2, 2, 3, 4, 3, 2, 3, 3, 2, 3, 6]
SENTENCES_PER_FOOTNOTE = {9: 1, 15: 1, 16: 1, 23: 2}

# the article's hedge words, by the modality they give what they govern
HEDGES = {
    "assessed": ("見られる", "考えられる", "認知されつつある", "位置づけられる", "と考える"),
    "projected": ("であろう", "なろう", "かねない", "将来的に", "今後", "期待される"),
    "recommended": ("べき", "必要である", "検討する", "不可欠", "求められている"),
}
HEDGE_WORDS = tuple(word for words in HEDGES.values() for word in words)
# the English a gloss keeps each hedge with (a prediction stays a prediction, a hedge a hedge)
GLOSS_MARKERS = {
    "見られる": ("appear", "apparently", "expected", "believed", "seem"),
    "考えられる": ("thought", "considered", "appear"),
    "認知されつつある": ("coming to be perceived",),
    "位置づけられる": ("be seen",),
    "と考える": ("thinks",),
    "であろう": ("would",),
    "なろう": ("would", "will likely"),
    "かねない": ("could",),
    "将来的に": ("in future",),
    "今後": ("from now on", "future"),
    "期待される": ("expected",),
    "べき": ("should",),
    "必要である": ("requires", "need"),
    "検討する": ("consider",),
    "不可欠": ("must", "indispensable"),
    "求められている": ("need",),
}
IMPERATIVES = re.compile(
    r"^(Strengthen|Build|Develop|Hasten|Consider|Establish|Expand|Integrate|Promote|"
    r"Accelerate|Open|Found|Speed)\b"
)

# Asserted quotes in a sentence that holds a hedge word: each one is a clause the hedge does not
# govern, with the reason.
NOT_HEDGED = {
    ("P1.3", "2024年7月9日からワシントンで行われた首脳会合"): (
        "the summit's date and place are facts; 位置づけられる hedges only the verdict that it "
        "was an important occasion"
    ),
    (
        "P1.3",
        "コンセンサスを基本として、各国代表部大使、外相、国防相レベルの北大西洋理事会(NAC)での議論や調整のプロセス",
    ): "the NAC's consensus process is described as fact; 位置づけられる hedges only the verdict",
    ("P4.3", "32カ国の政治同盟"): (
        "the number of members is a fact; 今後 governs only the destiny of overcoming difficulties"
    ),
    ("P6.1", "北朝鮮による弾道ミサイルなどの大量破壊兵器の拡散"): (
        "と見られる hedges only the attribution of the cyber attacks to China and Russia"
    ),
    ("P6.1", "宇宙空間における不法行為"): "と見られる hedges only the cyber attacks' attribution",
    (
        "P6.1",
        "偽情報などによる認知領域への攻撃",
    ): "と見られる hedges only the cyber attacks' attribution",
    ("P6.1", "今日のウクライナ戦争を通じて明らかになった"): (
        "the support to Russia is called a fact (事実); と見られる belongs to the cyber clause"
    ),
    (
        "P6.1",
        "域外国による対露支援の事実によって、NATO(西端)北米から見た「西方」への抑止と防衛への関心も高まりつつある",
    ): "the main clause is asserted; と見られる belongs to the cyber clause",
    (
        "P6.1",
        "NATO(西端)北米から見た「西方」",
    ): "the main clause is asserted (見た is not 見られる)",
    ("P6.3", "NATOを「冷戦の遺物」と呼ぶ中国"): (
        "認知されつつある hedges only the verdict that China is an existential threat; what China "
        "says and does is stated as fact"
    ),
    ("P6.3", "NATOを「冷戦の遺物」と呼ぶ中国は"): "as above: China's rhetoric is stated as fact",
    ("P6.3", "2015年に地中海においてロシアとの合同海軍演習を初めて実施し"): (
        "the 2015 exercise is stated as fact; 認知されつつある belongs to the verdict"
    ),
    ("P6.3", "今回の首脳会合と同じ時期にベラルーシとの軍事演習を行う"): (
        "the exercise with Belarus is stated as fact; 認知されつつある belongs to the verdict"
    ),
    ("P8.1", "中国、ロシア、北朝鮮がお互いの包括的戦略パートナーシップに基づいて"): (
        "the partnerships are stated as fact; 今後 and かねない govern only how fast the hostile "
        "alignment could evolve"
    ),
    ("P8.1", "軍事分野を含む相互協力関係が相乗的に進む"): (
        "their cooperation is stated as under way; 今後/かねない govern the alignment's evolution"
    ),
    ("P8.1", "NATOとしてはさらに警戒感を高めざるを得ない"): (
        "NATO's need for vigilance is stated as a consequence (ざるを得ない), not hedged"
    ),
    ("P10.1", "日・米・欧(NATO)間の安全保障態勢の整備が加速化する"): (
        "the faster build-up is the premise; 今後 and と考える belong to the question and the "
        "author's answer"
    ),
    ("P10.2", "サイバー空間や認知領域にも広がってゆく"): (
        "the spread of security into new domains is the premise; 期待される governs the advantage"
    ),
    ("P11.3", "人工知能(AI)や量子力学などの新興・破壊的技術(EDTs)"): (
        "names the technologies; 不可欠 and 求められている govern what should be done with them"
    ),
}


# --- the article split by hand --------------------------------------------------------------


def article_sentences() -> dict[str, tuple[str, str]]:
    """sentence id → (its place "P6" / "fn15", its text), read from the file without geodata."""
    lines = [line.strip() for line in ARTICLE_PATH.read_text(encoding="utf-8").splitlines()]
    body = [line for line in lines[: lines.index("(2024/08/13)")] if line.endswith("。")]
    found: dict[str, tuple[str, str]] = {}
    for number, paragraph in enumerate(body, 1):
        for index, text in enumerate(re.findall(r"[^。]*。", paragraph), 1):
            found[f"P{number}.{index}"] = (f"P{number}", text)
    for line in lines[lines.index("脚注") + 1 :]:
        match = re.fullmatch(r"(\d+)\.\s+\1\s+(.*)", line)
        if not match:
            continue
        number, text = int(match[1]), match[2]
        # a comment is Japanese prose ending in 。; a cited work before it ends with "; "
        comments = [c.split("; ")[-1] for c in re.findall(r"[^。]*。", text)]
        comments = [c for c in comments if re.search(r"[ぁ-んァ-ン一-龥]", c)]
        for index, comment in enumerate(comments, 1):
            found[f"fn{number}.{index}"] = (f"fn{number}", comment)
    return found


SENTENCES = article_sentences()


def notes() -> dict[str, dict]:
    data = yaml.safe_load((KNOWLEDGE_DIR / "sentences.yaml").read_text(encoding="utf-8"))
    return {note["id"]: note for note in data["sentences"]}


def citations(node, owner: str = "") -> list[tuple[str, dict]]:
    """(record id, citation) for every citation in a plain YAML tree; a part cited on its own
    (membership, inclusion, attribution) is "parent/child"."""
    found: list[tuple[str, dict]] = []
    if isinstance(node, dict):
        own = node.get("id") or node.get("iso3") or node.get("grouping") or node.get("actor")
        here = f"{owner}/{own}" if owner and own and "id" not in node else (own or owner)
        for key, value in node.items():
            if key == "citations":
                found += [(here, c) for c in value]
            elif not str(key).startswith("x-"):
                found += citations(value, here)
    elif isinstance(node, list):
        for item in node:
            found += citations(item, owner)
    return found


def all_citations() -> list[tuple[str, dict]]:
    return [
        pair
        for path in sorted(KNOWLEDGE_DIR.glob("*.yaml"))
        for pair in citations(yaml.safe_load(path.read_text(encoding="utf-8")))
    ]


def sentences_of(citation: dict) -> list[str]:
    """The sentences a citation's quote lies in: the cited paragraph's, else the footnotes'."""
    groups = [[f"P{citation['paragraph']}"]] if citation.get("paragraph") else []
    groups.append([f"fn{n}" for n in citation.get("footnotes") or []])
    for places in groups:
        hits = [
            sid
            for sid, (place, text) in SENTENCES.items()
            if place in places and citation["quote_ja"] in text
        ]
        if hits:
            return hits
    return []


CITATIONS = all_citations()


# --- every sentence accounted for -----------------------------------------------------------


def test_the_article_splits_into_the_sentences_a_reader_counts() -> None:
    per_place: dict[str, int] = {}
    for place, _ in SENTENCES.values():
        per_place[place] = per_place.get(place, 0) + 1
    assert [per_place[f"P{n}"] for n in range(1, 13)] == SENTENCES_PER_PARAGRAPH
    assert {int(p[2:]): n for p, n in per_place.items() if p.startswith("fn")} == (
        SENTENCES_PER_FOOTNOTE
    )


def test_every_sentence_has_a_note_with_its_exact_text_and_a_gloss() -> None:
    noted = notes()
    assert list(noted) == list(SENTENCES)  # the same ids, in reading order, none unknown
    for sid, (_, text) in SENTENCES.items():
        assert noted[sid]["text_ja"] == text, sid
        assert str(noted[sid].get("gloss_en") or "").strip(), sid


def test_every_sentence_is_mapped_or_explained() -> None:
    mapped: dict[str, set[str]] = {sid: set() for sid in SENTENCES}
    for record, citation in CITATIONS:
        for sid in sentences_of(citation):
            mapped[sid].add(record)
    for sid, note in notes().items():
        reason = str(note.get("reason") or "").strip()
        assert mapped[sid] or reason, f"{sid} is neither mapped nor explained"
        assert not (mapped[sid] and reason), f"{sid} is mapped by {mapped[sid]} but has a reason"
    # the article's paragraphs that were never cited before are now
    assert mapped["P7.1"] and mapped["P7.2"] and all(mapped[f"P11.{i}"] for i in (1, 2, 3))


def test_every_footnote_is_cited_by_a_record() -> None:
    cited = {n for _, c in CITATIONS for n in c.get("footnotes") or []}
    assert cited == set(range(1, 25))  # 4, 21 and 24 included


def test_no_quote_runs_across_a_sentence_end() -> None:
    for record, citation in CITATIONS:
        quote = citation["quote_ja"]
        if citation.get("paragraph"):
            assert len(sentences_of(citation)) == 1, (record, quote)
        assert not re.search("。.", quote), (record, quote)


# --- the article's own certainty ------------------------------------------------------------


def test_every_hedge_is_verbatim_in_its_quotes_sentence() -> None:
    hedged = [(r, c) for r, c in CITATIONS if c.get("modality", "asserted") != "asserted"]
    assert len(hedged) > 20
    for record, citation in hedged:
        hedge = citation.get("hedge_ja")
        assert hedge, (record, citation["quote_ja"])
        (sid,) = sentences_of(citation)
        assert hedge in SENTENCES[sid][1], (record, sid, hedge)
        assert citation["modality"] in HEDGES
        assert any(word in hedge or hedge in word for word in HEDGES[citation["modality"]]), (
            record,
            hedge,
            citation["modality"],
        )


def test_no_asserted_citation_quotes_a_hedged_clause() -> None:
    used = set()
    for record, citation in CITATIONS:
        if citation.get("modality", "asserted") != "asserted":
            continue
        for sid in sentences_of(citation):
            if not any(word in SENTENCES[sid][1] for word in HEDGE_WORDS):
                continue
            key = (sid, citation["quote_ja"])
            assert key in NOT_HEDGED, f"{record}: asserted quote in hedged {sid}: {key[1]}"
            used.add(key)
    assert used == set(NOT_HEDGED)  # every exception is still needed


def test_the_issues_examples_keep_their_hedges() -> None:
    by_quote = {c["quote_ja"]: c for _, c in CITATIONS}
    assert by_quote["中国やロシアによると見られるサイバー攻撃"]["modality"] == "assessed"
    threat = by_quote["欧州に対する軍事面での実存的脅威[15]として認知されつつある"]
    assert threat["modality"] == "assessed" and threat["hedge_ja"] == "認知されつつある"
    worldwide = by_quote["権威主義国家による影響力が世界に膨張してゆく"]
    assert worldwide["modality"] == "projected" and "expanding" in worldwide["gloss_en"]
    assert "will" in worldwide["gloss_en"]


def test_glosses_keep_the_articles_modality() -> None:
    for sid, note in notes().items():
        text, gloss = SENTENCES[sid][1], note["gloss_en"].lower()
        for word, markers in GLOSS_MARKERS.items():
            if word in text:
                assert any(m in gloss for m in markers), (sid, word, note["gloss_en"])
    for record, citation in CITATIONS:
        gloss = citation["gloss_en"]
        assert not IMPERATIVES.match(gloss), (record, gloss)  # a gloss reports, never instructs
        hedge = citation.get("hedge_ja")
        if hedge:
            markers = [m for word, ms in GLOSS_MARKERS.items() if word in hedge for m in ms]
            assert any(m in gloss.lower() for m in markers), (record, hedge, gloss)


# --- dates: relative, from context, from a cited work ----------------------------------------


def dated_records() -> list[dict]:
    records = []
    for name in ("relations", "events", "topics"):
        data = yaml.safe_load((KNOWLEDGE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        records += [r for r in data[name] if r.get("date") is not None]
    return records


def test_a_relative_or_borrowed_date_is_not_stated() -> None:
    by_id = {r["id"]: r for r in dated_records()}
    # "just before the summit" (P4) and "at the same time as this summit" (P6)
    for record_id in ("hun_objection", "hungary_dissent", "chn_blr_exercise"):
        assert by_id[record_id]["date_basis"] == "inferred", record_id
    # footnote 16 gives "5月16日" and "6月19日" without a year
    for record_id in ("chn_rus_partnership", "chn_rus_joint_statement", "rus_prk_treaty"):
        assert by_id[record_id]["date_basis"] == "inferred", record_id
    for record in by_id.values():
        if record.get("date_basis", "stated") != "stated":
            assert str(record.get("date_reason") or "").strip(), record["id"]
        # a stated day is written in the article: a date in the body or a cited work's own date
        elif len(str(record["date"])) == 10:
            year, month, day = map(int, str(record["date"]).split("-"))
            text = ARTICLE_PATH.read_text(encoding="utf-8")
            months = list(calendar.month_name)[1:]
            written = (
                f"{year}年{month}月{day}日",
                f"{months[month - 1]} {day}, {year}",
                f"{day} {months[month - 1]} {year}",
            )
            assert any(w in text for w in written), record["id"]


# --- alliance-atlas coverage --------------------------------------------------------------------


def run_coverage(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in this process (its output and exit status captured)."""
    return run_in_process("coverage", *args)


@pytest.fixture(scope="module")
def coverage_json() -> list[dict]:
    """What the installed console script prints (the one run of it in a process of its own)."""
    result = run_installed("coverage", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_coverage_json_lists_every_sentence_with_what_it_supports(coverage_json) -> None:
    assert [row["id"] for row in coverage_json] == list(SENTENCES)
    expected: dict[str, set[str]] = {sid: set() for sid in SENTENCES}
    for record, citation in CITATIONS:
        for sid in sentences_of(citation):
            expected[sid].add(record)
    noted = notes()
    for row in coverage_json:
        sid = row["id"]
        assert {"id", "paragraph", "text_ja", "gloss_en", "records", "reason"} <= set(row)
        assert (row["paragraph"], row["text_ja"]) == SENTENCES[sid]
        assert row["gloss_en"] == noted[sid]["gloss_en"]
        assert set(row["records"]) == expected[sid], sid
        assert row["reason"] == noted[sid].get("reason")
        assert row["status"] == ("mapped" if row["records"] else "explained")
        for quote in row["quotes"]:  # offsets a reader can mark the quote and its hedge with
            assert row["text_ja"][quote["start"] : quote["end"]]
            assert quote["record"] in row["records"]
            if quote["hedge_ja"]:
                span = row["text_ja"][quote["hedge_start"] : quote["hedge_end"]]
                assert span == quote["hedge_ja"]


def test_coverage_offsets_point_into_the_paragraph(coverage_json) -> None:
    lines = ARTICLE_PATH.read_text(encoding="utf-8").splitlines()
    body = [line.strip() for line in lines if line.strip().endswith("。")]
    for row in coverage_json:
        if row["paragraph"].startswith("P"):
            paragraph = body[int(row["paragraph"][1:]) - 1]
            assert paragraph[row["start"] : row["end"]] == row["text_ja"], row["id"]


def test_coverage_text_ends_with_a_summary_per_paragraph(coverage_json) -> None:
    result = run_coverage()
    assert result.returncode == 0 and result.stderr == ""
    text = result.stdout
    for sid in SENTENCES:
        assert f"\n{sid}  [" in f"\n{text}", sid
    summary = text[text.index("\nsummary\n") :].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in summary[3:]}
    places = list(dict.fromkeys(place for place, _ in SENTENCES.values()))
    assert list(rows) == [*places, "total"]
    for place in places:
        own = [r for r in coverage_json if r["paragraph"] == place]
        mapped = sum(r["status"] == "mapped" for r in own)
        explained = sum(r["status"] == "explained" for r in own)
        assert rows[place] == [str(len(own)), str(mapped), str(explained), "0"], place
    total = rows["total"]
    assert int(total[0]) == len(SENTENCES) and total[3] == "0"


def test_coverage_reports_a_sentence_neither_mapped_nor_explained(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    path = directory / "sentences.yaml"
    text = path.read_text(encoding="utf-8")
    reason = re.search(r"\n    reason: .*", text)[0]
    path.write_text(text.replace(reason, "", 1), encoding="utf-8")
    as_json = run_coverage("--format", "json", "--knowledge", str(directory))
    assert as_json.returncode == 1
    assert as_json.stderr == "1 sentence(s) neither mapped nor explained\n"
    (row,) = [r for r in json.loads(as_json.stdout) if r["status"] == "neither"]
    assert row["records"] == [] and row["reason"] is None
    as_text = run_coverage("--knowledge", str(directory))
    assert as_text.returncode == 1
    assert f"{row['id']}  [neither]" in as_text.stdout
    place = row["paragraph"]
    line = next(x for x in as_text.stdout.splitlines() if x.startswith(f"{place} "))
    assert line.split()[-1] == "1"


@pytest.mark.parametrize("damage", ["yaml", "missing"])
def test_coverage_of_a_broken_knowledge_base_is_a_message(tmp_path: Path, damage: str) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    if damage == "yaml":
        (directory / "sentences.yaml").write_text("sentences: [\n", encoding="utf-8")
    else:
        (directory / "sentences.yaml").unlink()
    result = run_coverage("--knowledge", str(directory))
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "sentences.yaml" in result.stderr
    assert "does not load" in result.stderr


# --- the article's other lines, in reading order ------------------------------------------------


def test_the_articles_lines_keep_their_reading_order_and_kind() -> None:
    """geodata.article's blocks are the article's non-empty lines up to its footnotes, in order,
    each named by what it is (read here off the text itself)."""
    from geodata.article import load_article

    lines = [line.strip() for line in ARTICLE_PATH.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines[: lines.index("脚注")] if line]
    date = lines.index("(2024/08/13)")
    blocks = load_article().blocks
    assert [b.text for b in blocks] == lines
    kinds = [b.kind for b in blocks]
    assert kinds[date:] == ["date", "end", "end"]
    assert [b.text for b in blocks if b.kind == "heading"] == [
        line
        for line in lines[:date]
        if not line.endswith("。") and not line.startswith(("図", "出典"))
    ]
    assert [b.paragraph for b in blocks if b.kind == "paragraph"] == list(range(1, 13))
    # the figure's caption and source line stand between P9 and P10, where the figure is
    after = [b.kind for b in blocks[blocks.index(next(b for b in blocks if b.paragraph == 9)) :]]
    assert after[:4] == ["paragraph", "caption", "source", "paragraph"]


def test_every_heading_and_caption_has_an_english_gloss() -> None:
    headings = yaml.safe_load((KNOWLEDGE_DIR / "headings.yaml").read_text(encoding="utf-8"))
    glossed = {h["text_ja"]: h["gloss_en"] for h in headings["headings"]}
    lines = [line.strip() for line in ARTICLE_PATH.read_text(encoding="utf-8").splitlines()]
    body = lines[: lines.index("脚注")]
    needed = [
        line
        for line in body
        if line
        and not (line.endswith("。") and body.index(line) < body.index("(2024/08/13)"))
        and re.search(r"[\u3040-\u30ff\u3400-\u9fff]", line)
    ]
    assert sorted(glossed) == sorted(needed)
    assert all(re.fullmatch(r"[\x20-\x7e–—’]+", gloss) for gloss in glossed.values())
