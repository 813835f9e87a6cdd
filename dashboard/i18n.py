"""Every string the dashboard, the map and the exported images show, in Japanese and English,
and the functions that put them in a language: `t(key, lang, **values)` and the names of records.

Names of actors, groupings, regions, events and relation labels come from the knowledge base
(name_ja / name_en, label_ja / label_en); the strings here are the product's own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geodata.scenario import Lang

STRINGS: dict[str, dict[Lang, str]] = {
    # --- the map and its legend (dashboard.figures) ---
    # layers (legend group titles); the same words as the dashboard's controls
    "layer.value_community": {"ja": "価値共同体", "en": "Value community"},
    "layer.authoritarian": {"ja": "権威主義勢力", "en": "Authoritarian bloc"},
    "layer.support_flows": {"ja": "対露支援", "en": "Support to Russia"},
    "layer.threats": {"ja": "360度の脅威", "en": "360° threats"},
    "layer.ukraine": {"ja": "ウクライナ支援", "en": "Ukraine support"},
    "layer.events": {"ja": "出来事", "en": "Events"},
    "layer.proposals": {"ja": "論考の提言", "en": "The article's proposals"},
    "layer.base": {"ja": "根拠と状態の表し方", "en": "How basis and status are drawn"},
    # basis and status words
    "basis.stated": {"ja": "明記", "en": "stated"},
    "basis.inferred": {"ja": "推論", "en": "inferred"},
    "basis.external": {"ja": "外部知識", "en": "external"},
    "status.existing": {"ja": "既存", "en": "existing"},
    "status.proposed": {"ja": "提言", "en": "proposed"},
    # the basis/status key in the legend
    "key.stated": {"ja": "明記:実線・濃い色", "en": "Stated in the article: solid, full colour"},
    "key.inferred": {
        "ja": "推論:点線・薄い色",
        "en": "Inferred from the article: dotted, lighter",
    },
    "key.external": {
        "ja": "外部知識:灰色・点線・※印",
        "en": "External knowledge: grey, dotted, marked *",
    },
    "key.proposed": {
        "ja": "提言:破線・白抜き",
        "en": "Proposed by the article: dashed, hollow",
    },
    # marks
    "mark.external": {"ja": "※", "en": "*"},
    "mark.proposed_prefix": {"ja": "提言:", "en": "Proposed: "},
    # legend entries by layer
    "legend.value_links": {"ja": "パートナーシップ・連携", "en": "Partnerships and networks"},
    "legend.auth_partnership": {
        "ja": "包括的戦略パートナーシップ・協力",
        "en": "Comprehensive strategic partnerships",
    },
    "legend.auth_exercise": {"ja": "合同軍事演習", "en": "Joint military exercises"},
    "legend.auth_expansion": {
        "ja": "権威主義の膨張(影響力・脅威・言説)",
        "en": "Authoritarian expansion (influence, threat, rhetoric)",
    },
    "legend.support": {
        "ja": "対露支援と見返り(矢印:流れるもの)",
        "en": "Support to Russia and what returns (arrows: what flows)",
    },
    "legend.threat_arrow": {
        "ja": "脅威の方向(同盟へ向かう矢印)",
        "en": "Threat directions (arrows towards the Alliance)",
    },
    "legend.threat_region": {
        "ja": "論考が挙げる海域・地域",
        "en": "Seas and areas the article names",
    },
    "legend.ukraine_recipient": {
        "ja": "ウクライナ(長期的支援の対象)",
        "en": "Ukraine (recipient of long-term support)",
    },
    "legend.ukraine_support": {"ja": "NATOの長期的支援", "en": "NATO's long-term support"},
    "legend.objection": {"ja": "ハンガリーの異議", "en": "Hungary's objection"},
    "legend.war": {"ja": "ロシアのウクライナ戦争", "en": "Russia's war against Ukraine"},
    "legend.event.stated": {"ja": "出来事(場所:明記)", "en": "Event (place stated)"},
    "legend.event.inferred": {"ja": "出来事(場所:推論)", "en": "Event (place inferred)"},
    "legend.event.external": {
        "ja": "出来事(場所:外部知識※)",
        "en": "Event (place from external knowledge*)",
    },
    "legend.proposal_links": {"ja": "提言された協力・連携", "en": "Proposed cooperation and links"},
    "legend.proposal_groupings": {"ja": "提言された枠組み", "en": "Proposed frameworks"},
    "legend.other_links": {"ja": "その他の関係", "en": "Other links"},
    # hover
    "hover.basis": {"ja": "根拠:{basis}", "en": "Basis: {basis}"},
    "hover.basis_status": {
        "ja": "根拠:{basis} · 状態:{status}",
        "en": "Basis: {basis} · status: {status}",
    },
    "hover.place_basis": {"ja": "場所の根拠:{basis}", "en": "Place: {basis}"},
    "hover.groupings": {"ja": "所属する枠組み:", "en": "Groupings:"},
    "hover.no_groupings": {"ja": "所属する枠組み:なし", "en": "Groupings: none"},
    "hover.not_actor": {
        "ja": "論考は国名を挙げていません",
        "en": "The article does not name this country",
    },
    "hover.via": {"ja": "{name}経由", "en": "via {name}"},
    "hover.members": {"ja": "構成国:{count}か国", "en": "Members: {count}"},
    "hover.sources": {"ja": "脅威の源:{names}", "en": "Sources: {names}"},
    "hover.domain": {"ja": "領域の脅威", "en": "Threat domain"},
    "hover.date": {"ja": "日付:{date}", "en": "Date: {date}"},
    "hover.region_extent": {
        "ja": "範囲は論考外の知識による作図",
        "en": "Extent drawn from outside knowledge",
    },
    "hover.region_inferred": {
        "ja": "範囲は論考からの推論による作図",
        "en": "Extent read from the article",
    },
    "hover.base_map_missing": {
        "ja": "基図に国境がないため点で表示",
        "en": "No outline on the base map; drawn as a point",
    },
    "hover.recipient": {"ja": "長期的支援の対象", "en": "Recipient of long-term support"},
    # kinds of relation (hover)
    "hover.kind.support": {"ja": "支援", "en": "support"},
    "hover.kind.partnership": {"ja": "パートナーシップ", "en": "partnership"},
    "hover.kind.exercise": {"ja": "合同演習", "en": "exercise"},
    "hover.kind.influence": {"ja": "影響力", "en": "influence"},
    "hover.kind.threat": {"ja": "脅威", "en": "threat"},
    "hover.kind.objection": {"ja": "異議", "en": "objection"},
    "hover.kind.rhetoric": {"ja": "言説", "en": "rhetoric"},
    "hover.kind.network": {"ja": "ネットワーク", "en": "network"},
    "hover.kind.cooperation": {"ja": "協力", "en": "cooperation"},
    "hover.kind.liaison": {"ja": "連絡拠点", "en": "liaison"},
    # events
    "event.more": {"ja": "ほか{count}件", "en": "+{count} more"},
    # --- the dashboard ---
    # header
    "app.title": {"ja": "Alliance Atlas", "en": "Alliance Atlas"},
    "app.subtitle": {
        "ja": "NATOワシントン首脳会合(2024年7月)を論じた論考を、引用付きの地図に",
        "en": "A policy article on NATO's July 2024 Washington summit, as a cited map",
    },
    "scenario.label": {"ja": "シナリオ", "en": "Scenario"},
    "scenario.custom": {"ja": "(カスタム表示)", "en": "(custom view)"},
    "scenario.modified": {"ja": "(変更あり)", "en": "(modified)"},
    "lang.label": {"ja": "言語", "en": "Language"},
    # controls
    "controls.heading": {"ja": "表示の設定", "en": "View settings"},
    "layers.label": {"ja": "レイヤー", "en": "Layers"},
    "groupings.label": {"ja": "枠組み", "en": "Groupings"},
    "groupings.all": {"ja": "すべての枠組み", "en": "All groupings"},
    "directions.label": {"ja": "脅威の方向", "en": "Threat directions"},
    "domains.label": {"ja": "脅威の領域", "en": "Threat domains"},
    "dates.label": {"ja": "期間(出来事・関係の日付)", "en": "Date range (events and links)"},
    "dates.from": {"ja": "開始日", "en": "From"},
    "dates.to": {"ja": "終了日", "en": "To"},
    "dates.hint": {
        "ja": "出来事の年表:{first} … {last}。空欄は制限なし。",
        "en": "Event timeline: {first} … {last}. Leave empty for no limit.",
    },
    "basis.label": {"ja": "根拠", "en": "Basis"},
    "basis.opt.stated": {"ja": "明記のみ", "en": "Stated only"},
    "basis.opt.inferred": {"ja": "+ 推論", "en": "+ inferred"},
    "basis.opt.external": {"ja": "+ 外部知識", "en": "+ external"},
    "proposals.label": {"ja": "論考の提言", "en": "The article's proposals"},
    "proposals.on": {"ja": "提言を表示", "en": "Show proposals"},
    "focus.label": {"ja": "国を探す", "en": "Find a country"},
    "focus.placeholder": {"ja": "国名を入力…", "en": "Type a country name…"},
    "projection.label": {"ja": "図法", "en": "Projection"},
    "projection.robinson": {"ja": "ロビンソン図法", "en": "Robinson"},
    "projection.orthographic": {"ja": "正射図法(地球儀)", "en": "Orthographic (globe)"},
    "projection.polar": {"ja": "北極中心", "en": "Polar (north)"},
    "map-options.label": {"ja": "地図の範囲", "en": "Map extent"},
    "map.option.inset": {"ja": "ヨーロッパの拡大図", "en": "Europe inset"},
    "map.option.world": {"ja": "世界全体", "en": "Whole world"},
    # share / save / load
    "share.label": {"ja": "この表示へのリンク", "en": "Link to this view"},
    "share.copy": {"ja": "リンクをコピー", "en": "Copy link"},
    "save.button": {"ja": "シナリオを保存(YAML)", "en": "Save scenario (YAML)"},
    "export.label": {"ja": "画像として書き出す(1920×1080)", "en": "Export as image (1920×1080)"},
    "export.button": {"ja": "書き出し", "en": "Export"},
    "export.failed": {"ja": "書き出せませんでした:{reason}", "en": "Export failed: {reason}"},
    "load.prompt": {
        "ja": "シナリオYAMLを読み込む(ドロップまたはクリック)",
        "en": "Load a scenario YAML (drop or click)",
    },
    "load.ok": {"ja": "読み込みました:{name}", "en": "Loaded {name}"},
    "load.bad": {
        "ja": "{name} は読み込めません。表示は変更していません:",
        "en": "Cannot load {name}; the view is unchanged:",
    },
    "load.unreadable": {
        "ja": "UTF-8のテキストファイルではありません",
        "en": "not a UTF-8 text file",
    },
    "load.too_large": {
        "ja": "ファイルが大きすぎます(上限{limit} KB)",
        "en": "the file is too large (limit {limit} KB)",
    },
    "load.line": {"ja": "{line}行目:{message}", "en": "line {line}: {message}"},
    # compare
    "compare.heading": {"ja": "比較", "en": "Compare"},
    "compare.off": {"ja": "なし", "en": "Off"},
    "compare.side": {"ja": "並べて表示", "en": "Side by side"},
    "compare.diff": {"ja": "差分", "en": "Difference"},
    "compare.a": {"ja": "A:現在の表示", "en": "A: the current view"},
    "compare.b": {"ja": "B:{title}", "en": "B: {title}"},
    "compare.only_a": {"ja": "Aのみ({count})", "en": "Only in A ({count})"},
    "compare.only_b": {"ja": "Bのみ({count})", "en": "Only in B ({count})"},
    "compare.same": {
        "ja": "AとBは同じ項目を表示しています。",
        "en": "A and B show the same items.",
    },
    "compare.pick": {
        "ja": "比較するシナリオを選んでください。",
        "en": "Pick a scenario to compare with.",
    },
    # details
    "details.heading": {"ja": "詳細", "en": "Details"},
    "details.hint": {
        "ja": "地図上の国・矢印・地域・出来事をクリックすると、論考での役割と引用を表示します。",
        "en": "Click a country, arc, arrow, region or event on the map to see its roles in the article, with citations.",
    },
    "details.none": {
        "ja": "{name}:論考には登場しません。",
        "en": "{name}: not mentioned in the article.",
    },
    "details.roles": {"ja": "{count}件の役割", "en": "{count} role(s)"},
    "details.reason": {"ja": "根拠の説明", "en": "Why this basis"},
    "details.paragraph": {"ja": "第{n}段落", "en": "P{n}"},
    "details.footnote": {"ja": "脚注{n}", "en": "footnote {n}"},
    "details.clear": {"ja": "選択を解除", "en": "Clear selection"},
    "details.article_form": {"ja": "論考での表記", "en": "In the article as"},
    "details.place": {"ja": "場所", "en": "Place"},
    "details.date": {"ja": "日付", "en": "Date"},
    "details.members": {"ja": "構成国", "en": "Members"},
    "details.actors": {"ja": "参加", "en": "Taking part"},
    "details.role": {"ja": "役割", "en": "Role"},
    "details.through": {"ja": "経由", "en": "Through"},
    "details.sources": {"ja": "脅威の源", "en": "Sources"},
    "details.kinds": {"ja": "内容", "en": "Kinds"},
    # roles
    "role.actor": {"ja": "主体", "en": "Actor"},
    "role.membership": {"ja": "加盟・参加", "en": "Membership"},
    "role.grouping": {"ja": "枠組み", "en": "Grouping"},
    "role.relation": {"ja": "関係", "en": "Link"},
    "role.event": {"ja": "出来事", "en": "Event"},
    "role.threat": {"ja": "脅威", "en": "Threat"},
    "role.threat_source": {"ja": "脅威の源", "en": "Threat source"},
    "role.domain": {"ja": "領域の脅威", "en": "Domain threat"},
    "role.region": {"ja": "地域", "en": "Region"},
    "role.region_part": {"ja": "地域の一部", "en": "Part of a region"},
    # table
    "table.heading": {"ja": "この表示の項目", "en": "What this view shows"},
    "table.caption": {
        "ja": "地図に表示中の項目({count}件)。名前を押すと詳細を表示します。",
        "en": "The {count} items the map shows. Press a name to see its details.",
    },
    "table.empty": {
        "ja": "この設定では表示する項目がありません。",
        "en": "Nothing to show with these settings.",
    },
    "col.kind": {"ja": "種類", "en": "Kind"},
    "col.name": {"ja": "名前", "en": "Name"},
    "col.layer": {"ja": "レイヤー", "en": "Layer"},
    "col.basis": {"ja": "根拠", "en": "Basis"},
    "col.status": {"ja": "状態", "en": "Status"},
    "col.date": {"ja": "日付", "en": "Date"},
    "col.detail": {"ja": "内容", "en": "Detail"},
    "col.cited": {"ja": "出典箇所", "en": "Cited at"},
    # values
    "direction.east": {"ja": "東方", "en": "East"},
    "direction.north": {"ja": "北方", "en": "North"},
    "direction.south": {"ja": "南方", "en": "South"},
    "direction.west": {"ja": "西方", "en": "West"},
    "kind.grouping": {"ja": "枠組み", "en": "Grouping"},
    "kind.relation": {"ja": "関係", "en": "Link"},
    "kind.threat": {"ja": "脅威", "en": "Threat"},
    "kind.region": {"ja": "地域", "en": "Region"},
    "kind.event": {"ja": "出来事", "en": "Event"},
    "kind.domain": {"ja": "領域", "en": "Domain"},
    "kind.country": {"ja": "国", "en": "Country"},
    "relkind.support": {"ja": "支援", "en": "support"},
    "relkind.partnership": {"ja": "パートナーシップ", "en": "partnership"},
    "relkind.exercise": {"ja": "演習", "en": "exercise"},
    "relkind.influence": {"ja": "影響力", "en": "influence"},
    "relkind.threat": {"ja": "脅威", "en": "threat"},
    "relkind.objection": {"ja": "異議", "en": "objection"},
    "relkind.rhetoric": {"ja": "言説", "en": "rhetoric"},
    "relkind.network": {"ja": "ネットワーク", "en": "network"},
    "relkind.cooperation": {"ja": "協力", "en": "cooperation"},
    "relkind.liaison": {"ja": "連絡拠点", "en": "liaison"},
    "relkind.war": {"ja": "戦争", "en": "war"},
    "relkind.compromise": {"ja": "折衷案", "en": "compromise"},
    "relkind.rejection": {"ja": "否定", "en": "rejection"},
    "relkind.concern": {"ja": "危機感・警戒感", "en": "concern"},
    "relkind.outreach": {"ja": "アプローチ", "en": "outreach"},
    "relkind.posture": {"ja": "安全保障態勢", "en": "security posture"},
    # notices
    "notices.url": {
        "ja": "URLの一部を無視しました:",
        "en": "Parts of the URL were ignored:",
    },
    "notices.error": {
        "ja": "処理できない入力がありました。表示は変更していません。",
        "en": "Some input could not be handled; the view is unchanged.",
    },
    "map.label": {"ja": "地図", "en": "Map"},
    "map.inset": {"ja": "ヨーロッパ(拡大)", "en": "Europe (enlarged)"},
    "map.empty": {
        "ja": "この設定では地図に表示する項目がありません",
        "en": "Nothing to draw with these settings",
    },
    "footer.source": {
        "ja": "出典:論考本文(2024/08/13)と脚注。基図:Natural Earth。",
        "en": "Source: the article's text (2024-08-13) and footnotes. Base map: Natural Earth.",
    },
    # --- the exported images' caption and footer ---
    "export.source": {
        "ja": "出典:論考「{title}」(英語版の題名、{date})の本文と脚注",
        "en": "Source: “{title}” ({date}), text and footnotes",
    },
    "export.basemap": {
        "ja": "基図:Made with Natural Earth",
        "en": "Base map: Made with Natural Earth",
    },
    "export.as_of": {"ja": "{year}年{month}月{day}日時点", "en": "As of {day} {month_name} {year}"},
    "export.inferred": {
        "ja": "「推論」の項目は論考の記述ではなく、論考からの読み取りです。",
        "en": "Items marked “inferred” are a reading of the article, not its statements.",
    },
    "export.external": {
        "ja": "「外部知識」は論考にない背景知識です。",
        "en": "“External” items are background knowledge the article does not contain.",
    },
    "export.conceptual": {
        "ja": "概念図:配置と矢印は考え方を示すもので、正確な地理関係ではありません。",
        "en": "Conceptual diagram: placement and arrows show ideas, not exact geography.",
    },
    "export.legend": {"ja": "凡例", "en": "Legend"},
    # --- a deck's speaker notes and appendix (dashboard.export.citations, deck) ---
    "notes.shows": {"ja": "表示:{layers}", "en": "Shows: {layers}"},
    "notes.view": {"ja": "ビュー: ?{query}", "en": "View: ?{query}"},
    "notes.citations": {
        "ja": "引用した論考の箇所({count}か所、レイヤーごと):",
        "en": "Passages of the article cited ({count}), layer by layer:",
    },
    "notes.appendix": {"ja": "全文は付録({where})。", "en": "In full in the appendix ({where})."},
    "notes.more": {"ja": "…ほか{count}か所(付録)", "en": "… and {count} more (appendix)"},
    "notes.footnote": {"ja": "脚注{number}", "en": "fn {number}"},
    "notes.more_items": {"ja": "ほか{count}件", "en": "+{count} more"},
    "appendix.slides": {"ja": "スライド{slides}", "en": "slides {slides}"},
    "appendix.where": {"ja": "スライド{first}–{last}", "en": "slides {first}–{last}"},
    "appendix.title": {
        "ja": "付録:引用した論考の箇所({page}/{pages})",
        "en": "Appendix: the passages cited ({page}/{pages})",
    },
    "appendix.footnotes": {"ja": "脚注の出典:", "en": "Footnotes cited:"},
    "deck.title": {"ja": "Alliance Atlas ブリーフィング", "en": "Alliance Atlas briefing"},
}

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def t(key: str, lang: str, **values: object) -> str:
    """The string `key` in `lang` (English when the language is unknown), formatted."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]  # type: ignore[call-overload]
    return text.format(**values) if values else text


def t_or(key: str, lang: str, default: str) -> str:
    """The string `key` in `lang`, or `default` when there is no such string."""
    return t(key, lang) if key in STRINGS else default


def localized(record: Mapping[str, Any] | Any, field: str, lang: str) -> str:
    """A record's `<field>_ja` / `<field>_en` (a dict, a pandas row or a model) in `lang`,
    falling back to the other language."""

    def get(key: str) -> Any:
        value = record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)
        return value if isinstance(value, str) and value else None

    first, second = (
        (f"{field}_ja", f"{field}_en") if lang == "ja" else (f"{field}_en", f"{field}_ja")
    )
    return get(first) or get(second) or ""


def name(record: Mapping[str, Any] | Any, lang: str) -> str:
    """A record's name_ja / name_en in `lang`."""
    return localized(record, "name", lang)


def format_date(value: object, lang: str) -> str:
    """A partial ISO date ("2015", "2024-07", "2024-07-09") in the view's language."""
    if not isinstance(value, str) or not value:
        return ""
    parts = [int(p) for p in value.split("-")]
    if lang == "ja":
        units = ("年", "月", "日")
        return "".join(f"{p}{u}" for p, u in zip(parts, units, strict=False))
    if len(parts) == 1:
        return str(parts[0])
    month = MONTHS_EN[parts[1] - 1][:3]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{parts[2]} {month} {parts[0]}"


def join_names(names: list[str], lang: str) -> str:
    """A list of names joined the way the language lists them."""
    return ("、" if lang == "ja" else ", ").join(names)
