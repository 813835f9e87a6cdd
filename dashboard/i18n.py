"""Every UI string of the dashboard in Japanese and English.

Map labels come from the knowledge base (name_ja / name_en) through the figure builders; the
strings here are the dashboard's own: control labels, option names, headings and messages,
on top of the map's strings (layer names, basis and status words) from the figure builders.
"""

from __future__ import annotations

from dashboard.figures.text import STRINGS as MAP_STRINGS
from geodata.scenario import Lang

STRINGS: dict[str, dict[Lang, str]] = {
    **MAP_STRINGS,
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
    "compare.mode": {"ja": "比較の方法", "en": "Compare mode"},
    "compare.off": {"ja": "なし", "en": "Off"},
    "compare.side": {"ja": "並べて表示", "en": "Side by side"},
    "compare.diff": {"ja": "差分", "en": "Difference"},
    "compare.with": {"ja": "比較するシナリオ (B)", "en": "Compare with (B)"},
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
    "details.quote": {"ja": "引用", "en": "Quote"},
    "details.gloss": {"ja": "英訳", "en": "Gloss"},
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
    "layer.base": {"ja": "基図", "en": "Base map"},
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
    "notices.dismiss": {"ja": "閉じる", "en": "Dismiss"},
    "map.label": {"ja": "地図", "en": "Map"},
    "map.empty": {
        "ja": "この設定では地図に表示する項目がありません。",
        "en": "Nothing to draw with these settings.",
    },
    "footer.source": {
        "ja": "出典:論考本文(2024/08/13)と脚注。基図:Natural Earth。",
        "en": "Source: the article's text (2024-08-13) and footnotes. Base map: Natural Earth.",
    },
}


def t(key: str, lang: str, **values: object) -> str:
    """The string `key` in `lang` (English when the language is unknown), formatted."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]  # type: ignore[call-overload]
    return text.format(**values) if values else text


def name(record: object, lang: str) -> str:
    """A record's name_ja / name_en (a dict, a pandas row or a model), in `lang`."""
    get = record.get if isinstance(record, dict) else lambda k: getattr(record, k, None)
    first, second = ("name_ja", "name_en") if lang == "ja" else ("name_en", "name_ja")
    return str(get(first) or get(second) or "")


def t_or(key: str, lang: str, default: str) -> str:
    """The string `key` in `lang`, or `default` when there is no such string."""
    return t(key, lang) if key in STRINGS else default
