"""The knowledge base against the article and the real world.

Member sets are written out by hand; citation checks read the raw YAML with yaml.safe_load
and the article split in conftest.py, not through the library's own models.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import yaml

from geodata.article import load_article
from geodata.atlas import build_atlas
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.validate import check_knowledge, read_knowledge

BASIS_ORDER = ["stated", "inferred", "external"]

# fmt: off
NATO_2024 = {  # the 32 members at the July 2024 Washington summit
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
    "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}
# fmt: on
AP4 = {"JPN", "AUS", "NZL", "KOR"}
FIVE_EYES = {"USA", "GBR", "CAN", "AUS", "NZL"}
JAPAN_US = {"JPN", "USA"}
AUTHORITARIAN = {"CHN", "RUS", "PRK", "IRN", "BLR"}

HEADINGS = (
    "ウクライナ支援にむけた政治的成果",
    "全方位への抑止と防衛を目指す軍事同盟",
    "価値同盟としてのグローバル・パートナーシップの強化",
    "日本のグローバル・アプローチの進化のためのファイブアイズとの関係強化",
)
FIGURE_CAPTION = "図:グローバリズム下における権威主義の膨張(概念図)"
PROPOSALS = {
    "japan_five_eyes_nato": "groupings.yaml",
    "indo_pacific_tech_hub": "groupings.yaml",
    "nato_liaison_office_japan": "relations.yaml",
}


def weaker(*bases: str) -> str:
    return max(bases, key=BASIS_ORDER.index)


def walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) in a plain YAML tree, depth first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def dicts_with(raw_knowledge: dict, key: str) -> list[tuple[str, tuple, dict]]:
    return [
        (name, path, node)
        for name, data in raw_knowledge.items()
        for path, node in walk(data)
        if isinstance(node, dict) and key in node
    ]


def groupings_by_id(raw_knowledge: dict) -> dict[str, dict]:
    return {g["id"]: g for g in raw_knowledge["groupings.yaml"]["groupings"]}


# --- 1. member sets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grouping", "expected"),
    [
        ("nato", NATO_2024),
        ("ap4", AP4),
        ("five_eyes", FIVE_EYES),
        ("japan_us_alliance", JAPAN_US),
        ("authoritarian", AUTHORITARIAN),
    ],
)
def test_member_sets_are_exact(atlas, grouping: str, expected: set[str]) -> None:
    rows = atlas.memberships[atlas.memberships.grouping == grouping]
    assert set(rows.iso3) == expected
    assert len(rows) == len(expected), "a state is listed twice"
    members = atlas.groupings.set_index("id").loc[grouping, "members"]
    assert sorted(members) == sorted(expected)


def test_member_counts_match_the_article(atlas, article_text) -> None:
    body = "".join(article_text.paragraphs)
    nato_count = int(re.search(r"(\d+)カ国の政治同盟", body)[1])
    five_eyes_count = int(re.search(r"NZの(\d+)カ国から構成され", body)[1])
    counts = atlas.memberships.groupby("grouping").size()
    assert counts["nato"] == nato_count == 32
    assert counts["five_eyes"] == five_eyes_count == 5
    assert counts["ap4"] == 4  # the name says so


def test_five_eyes_members_are_the_article_abbreviations(raw_knowledge, article_text) -> None:
    # P12: 米、英、加、豪、NZ — each actor's article_form_ja must be one of those, and back
    forms = re.search(r"ファイブアイズは、(.+?)の5カ国", "".join(article_text.paragraphs))[1]
    wanted = set(forms.split("、"))
    actors = raw_knowledge["actors.yaml"]["actors"]
    by_form = {a["article_form_ja"]: a["id"] for a in actors if a.get("article_form_ja")}
    assert {by_form[form] for form in wanted} == FIVE_EYES


def test_country_frame_lists_each_states_groupings(atlas) -> None:
    expected = atlas.memberships.groupby("iso3")["grouping"].agg(set).to_dict()
    for iso3, groupings in zip(atlas.countries.iso3, atlas.countries.groupings, strict=True):
        assert set(groupings) == expected.get(iso3, set()), iso3
    for iso3 in NATO_2024:
        row = atlas.countries.loc[atlas.countries.iso3 == iso3].iloc[0]
        assert "nato" in row.groupings


def _expected_memberships(groupings: dict[str, dict]) -> dict[str, dict[str, str]]:
    """grouping → {iso3: strongest basis over every path}, from the raw YAML."""

    def paths(gid: str, chain: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        grouping = groupings[gid]
        for member in grouping.get("members", []):
            yield member["iso3"], member["basis"]
        for inclusion in grouping.get("includes", []):
            if inclusion["grouping"] in chain:
                continue
            for iso3, basis in paths(inclusion["grouping"], (*chain, inclusion["grouping"])):
                yield iso3, weaker(inclusion["basis"], basis)

    expected: dict[str, dict[str, str]] = {}
    for gid in groupings:
        best: dict[str, str] = {}
        for iso3, basis in paths(gid, (gid,)):
            if iso3 not in best or BASIS_ORDER.index(basis) < BASIS_ORDER.index(best[iso3]):
                best[iso3] = basis
        expected[gid] = best
    return expected


def test_memberships_follow_includes_with_the_strongest_basis(atlas, raw_knowledge) -> None:
    expected = _expected_memberships(groupings_by_id(raw_knowledge))
    for gid, members in expected.items():
        rows = atlas.memberships[atlas.memberships.grouping == gid].set_index("iso3")
        assert set(rows.index) == set(members), gid
        assert rows.index.is_unique, gid
        for iso3, basis in members.items():
            assert rows.loc[iso3, "basis"] == basis, (gid, iso3)


def test_like_minded_includes_nato_with_the_weaker_basis(atlas, raw_knowledge) -> None:
    groupings = groupings_by_id(raw_knowledge)
    like_minded = groupings["like_minded"]
    inclusion = next(i for i in like_minded["includes"] if i["grouping"] == "nato")
    direct = {m["iso3"]: m for m in like_minded["members"]}
    rows = atlas.memberships[atlas.memberships.grouping == "like_minded"].set_index("iso3")
    assert set(NATO_2024) <= set(rows.index)
    for member in groupings["nato"]["members"]:
        iso3 = member["iso3"]
        if iso3 in direct:
            continue
        row = rows.loc[iso3]
        assert row.via == "nato"
        assert row.basis == weaker(inclusion["basis"], member["basis"])
        quotes = [c["quote_ja"] for c in row.citations]
        for citation in [*inclusion["citations"], *member["citations"]]:
            assert citation["quote_ja"] in quotes, (iso3, citation["quote_ja"])
        if member.get("reason"):
            assert member["reason"] in row.reason
    for iso3, member in direct.items():
        assert pd.isna(rows.loc[iso3, "via"])
        assert rows.loc[iso3, "basis"] == member["basis"]


def test_nested_includes_keep_every_citation_and_the_chain(atlas, raw_knowledge) -> None:
    # indo_pacific_tech_hub ⊃ like_minded ⊃ nato: Germany comes in two steps down
    groupings = groupings_by_id(raw_knowledge)
    hub = groupings["indo_pacific_tech_hub"]
    outer = next(i for i in hub["includes"] if i["grouping"] == "like_minded")
    inner = next(i for i in groupings["like_minded"]["includes"] if i["grouping"] == "nato")
    member = next(m for m in groupings["nato"]["members"] if m["iso3"] == "DEU")
    rows = atlas.memberships[atlas.memberships.grouping == "indo_pacific_tech_hub"]
    row = rows.set_index("iso3").loc["DEU"]
    assert row.basis == weaker(outer["basis"], inner["basis"], member["basis"])
    assert row.via in {"like_minded", "nato"}
    assert row.status == "proposed"  # the grouping is a proposal, so is every membership
    quotes = [c["quote_ja"] for c in row.citations]
    for citation in [*outer["citations"], *inner["citations"], *member["citations"]]:
        assert citation["quote_ja"] in quotes


# --- 4. citations ---------------------------------------------------------------------------


def test_every_quote_is_verbatim_in_its_cited_place(raw_knowledge, article_text) -> None:
    citations = dicts_with(raw_knowledge, "quote_ja")
    assert len(citations) > 50  # the walk found the records
    for name, path, citation in citations:
        where = f"{name}:{'.'.join(map(str, path))}"
        paragraph = citation.get("paragraph")
        footnotes = citation.get("footnotes") or []
        assert paragraph is not None or footnotes, f"{where}: cites no place"
        places = [article_text.footnotes[n] for n in footnotes if n in article_text.footnotes]
        if paragraph is not None and 1 <= paragraph <= len(article_text.paragraphs):
            places.append(article_text.paragraphs[paragraph - 1])
        assert any(citation["quote_ja"] in place for place in places), (
            f"{where}: {citation['quote_ja']!r} is not in P{paragraph} or footnotes {footnotes}"
        )
        assert str(citation.get("gloss_en") or "").strip(), f"{where}: no gloss_en"


def test_paragraph_and_footnote_numbers_exist(raw_knowledge, article_text) -> None:
    assert len(article_text.paragraphs) == 12
    assert sorted(article_text.footnotes) == list(range(1, 25))
    citations = dicts_with(raw_knowledge, "quote_ja")
    assert {k for _, _, c in citations for k in c} <= {
        "paragraph",
        "footnotes",
        "quote_ja",
        "gloss_en",
        "modality",
        "hedge_ja",
    }
    for name, path, node in citations:
        if "paragraph" in node:
            assert isinstance(node["paragraph"], int), (name, path)
            assert 1 <= node["paragraph"] <= 12, (name, path)
        for number in node.get("footnotes") or []:
            assert isinstance(number, int) and 1 <= number <= 24, (name, path, number)
    numbers = [f["number"] for f in raw_knowledge["footnotes.yaml"]["footnotes"]]
    assert numbers == list(range(1, 25))


def test_footnote_records_quote_their_footnote(raw_knowledge, article_text) -> None:
    for footnote in raw_knowledge["footnotes.yaml"]["footnotes"]:
        text = article_text.footnotes[footnote["number"]]
        for source in footnote.get("sources", []):
            assert source["title"] in text, footnote["number"]
        if footnote.get("note_ja"):
            assert footnote["note_ja"] in text, footnote["number"]


def test_every_non_stated_basis_has_a_reason(raw_knowledge) -> None:
    nodes = dicts_with(raw_knowledge, "basis")
    assert {node["basis"] for _, _, node in nodes} == set(BASIS_ORDER)
    for name, path, node in nodes:
        assert node["basis"] in BASIS_ORDER, (name, path)
        if node["basis"] != "stated":
            assert str(node.get("reason") or "").strip(), f"{name}:{path} has no reason"


def test_every_record_and_membership_is_cited(raw_knowledge) -> None:
    for name, data in raw_knowledge.items():
        if name in ("footnotes.yaml", "sentences.yaml", "headings.yaml"):  # the article's own parts
            continue
        records = data[name.removesuffix(".yaml")]
        assert records, name
        for record in records:
            assert record.get("citations"), (name, record.get("id"))
            for part in ("members", "includes", "attributions"):
                for item in record.get(part, []):
                    assert item.get("citations"), (name, record["id"], part, item)


def _recommendations(article_text) -> list[str]:
    """P12's sentences that recommend (べき / 必要 / 検討 / 急ぐ)."""
    sentences = [s for s in article_text.paragraphs[11].split("。") if s]
    return [s for s in sentences if re.search("べき|必要|検討|急ぐ", s)]


def test_the_three_proposals_exist_and_are_proposed(raw_knowledge) -> None:
    for record_id, file_name in PROPOSALS.items():
        key = file_name.removesuffix(".yaml")
        records = {r["id"]: r for r in raw_knowledge[file_name][key]}
        assert records[record_id].get("status") == "proposed", record_id


def test_proposals_are_cited_only_to_p12(raw_knowledge) -> None:
    proposed = [
        record
        for file_name, key in (("groupings.yaml", "groupings"), ("relations.yaml", "relations"))
        for record in raw_knowledge[file_name][key]
        if record.get("status") == "proposed"
    ]
    assert {r["id"] for r in proposed} >= set(PROPOSALS)
    for record in proposed:
        for _, _, citation in dicts_with({"x": record}, "quote_ja"):
            assert citation.get("paragraph") == 12, (record["id"], citation["quote_ja"])


def test_every_recommendation_of_p12_is_recorded_as_proposed(raw_knowledge, article_text) -> None:
    recommendations = _recommendations(article_text)
    assert len(recommendations) == 3
    records = [
        record
        for file_name, key in (("groupings.yaml", "groupings"), ("relations.yaml", "relations"))
        for record in raw_knowledge[file_name][key]
    ]

    def in_recommendation(citation: dict) -> bool:
        return citation.get("paragraph") == 12 and any(
            citation["quote_ja"] in sentence for sentence in recommendations
        )

    for sentence in recommendations:
        assert any(
            record.get("status") == "proposed"
            and any(c["quote_ja"] in sentence for c in record["citations"])
            for record in records
        ), sentence
    # and a grouping or relation resting only on recommendations is itself a proposal
    for record in records:
        if all(in_recommendation(c) for c in record["citations"]):
            assert record.get("status") == "proposed", record["id"]


# --- 5. article parsing ---------------------------------------------------------------------


def test_article_paragraphs_and_footnotes(article_text) -> None:
    article = load_article()
    assert len(article.paragraphs) == 12
    assert list(article.paragraphs) == article_text.paragraphs
    assert len(article.footnotes) == 24
    assert article.footnotes == article_text.footnotes
    assert article.date == "2024-08-13"
    assert article.paragraph(1).startswith("NATOは加盟国の自由と安全を確保する")
    assert article.paragraph(12).startswith("そのような現状認識のもと")
    assert article.paragraph(12).endswith("NATO連絡事務所の日本への設置を急ぐことになろう。")
    assert "Emerging and disruptive technologies" in article.footnotes[24]


def test_headings_and_caption_are_not_paragraphs(article_text) -> None:
    article = load_article()
    assert FIGURE_CAPTION in article_text.lines  # the caption is really in the text
    assert article.figure_caption == FIGURE_CAPTION
    assert tuple(article.headings) == HEADINGS
    for line in (*HEADINGS, FIGURE_CAPTION, "出典:d-mapsの地図をもとに著者作成"):
        assert line not in article.paragraphs
        assert not any(line in paragraph for paragraph in article.paragraphs)


def test_quote_found_looks_only_in_the_cited_places() -> None:
    article = load_article()
    quote = "32カ国の政治同盟"
    assert article.quote_found(quote, 4, ())
    assert not article.quote_found(quote, 3, ())
    assert not article.quote_found(quote, None, (5,))
    assert article.quote_found("Hungarian Prime Minister in Budapest", None, (5,))
    assert not article.quote_found(quote, 13, ())


def test_membership_basis_does_not_depend_on_the_order_of_includes(tmp_path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    path = directory / "groupings.yaml"
    text = path.read_text(encoding="utf-8")
    nato_block = "      - grouping: nato\n        basis: stated\n        citations: *trilateral\n"
    start = text.index("      - grouping: five_eyes\n")
    end = text.index(nato_block, start)
    swapped = text[:start] + nato_block + text[start:end] + text[end + len(nato_block) :]
    path.write_text(swapped, encoding="utf-8")
    reordered = yaml.safe_load(path.read_text(encoding="utf-8"))
    hub = next(g for g in reordered["groupings"] if g["id"] == "japan_five_eyes_nato")
    assert [i["grouping"] for i in hub["includes"]] == ["nato", "five_eyes"]
    knowledge, problems, source = read_knowledge(directory)
    assert problems == [] and check_knowledge(knowledge, source) == []
    atlas = build_atlas(knowledge, load_article())
    rows = atlas.memberships[atlas.memberships.grouping == "japan_five_eyes_nato"]
    basis = dict(zip(rows.iso3, rows.basis, strict=True))
    expected = _expected_memberships({g["id"]: g for g in reordered["groupings"]})
    assert expected["japan_five_eyes_nato"]["USA"] == "stated"  # via the Five Eyes (P12)
    assert basis == expected["japan_five_eyes_nato"]
