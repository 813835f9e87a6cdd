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
    "layer.base": {
        "ja": "根拠・確度・状態の表し方",
        "en": "How basis, certainty, status are drawn",
    },
    # basis and status words
    "basis.stated": {"ja": "明記", "en": "stated"},
    "basis.inferred": {"ja": "推論", "en": "inferred"},
    "basis.external": {"ja": "外部知識", "en": "external"},
    "status.existing": {"ja": "既存", "en": "existing"},
    # modality: how strongly the article says it (its certainty)
    "modality.asserted": {"ja": "断定", "en": "asserted"},
    "modality.assessed": {"ja": "見立て", "en": "assessed"},
    "modality.projected": {"ja": "予測・見通し", "en": "projected"},
    "modality.recommended": {"ja": "提言・要請", "en": "recommended"},
    "status.proposed": {"ja": "提言", "en": "proposed"},
    # the basis/status key in the legend
    "key.stated": {"ja": "明記:実線・濃い色", "en": "Stated in the article: solid, full colour"},
    "key.inferred": {
        "ja": "推論:点線・薄い色",
        "en": "Inferred from the article: dotted, lighter",
    },
    "key.external": {
        "ja": "外部知識:灰色・点線・※印(面は淡く灰色がかる)",
        "en": "External knowledge: grey, dotted, *",
    },
    "key.proposed": {
        "ja": "提言:破線・白抜き",
        "en": "Proposed by the article: dashed, hollow",
    },
    # the modality key in the legend: a badge by each item the article does not simply assert
    "key.modality.assessed": {
        "ja": "?印:論考の見立て(と見られる 等)",
        "en": "? the article hedges it (“is seen as”)",
    },
    "key.modality.projected": {
        "ja": "→印:論考の予測(であろう・今後 等)",
        "en": "→ the article projects it (“will likely”)",
    },
    "key.modality.recommended": {
        "ja": "!印:論考の要請(べき 等)",
        "en": "! the article calls for it (“should”)",
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
        "en": "Expansion: influence, threat, rhetoric",
    },
    "legend.support": {
        "ja": "対露支援と見返り(矢印:流れるもの)",
        "en": "Support to and from Russia",
    },
    "legend.threat_arrow": {
        "ja": "脅威の方向(同盟へ向かう矢印)",
        "en": "Threat directions (towards the Alliance)",
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
    "legend.marked_relations": {
        "ja": "価値・理念への関係(発信元に表示)",
        "en": "Link to a value or idea (at its source)",
    },
    "legend.external_members": {
        "ja": "論考が国名を挙げない{name}構成国※",
        "en": "{name} member not named in the article*",
    },
    # hover
    "hover.basis": {"ja": "根拠:{basis}", "en": "Basis: {basis}"},
    "hover.basis_status": {
        "ja": "根拠:{basis} · 状態:{status}",
        "en": "Basis: {basis} · status: {status}",
    },
    "hover.place_basis": {"ja": "場所の根拠:{basis}", "en": "Place: {basis}"},
    "hover.modality": {"ja": "確度:{modality}({hedges})", "en": "Certainty: {modality} ({hedges})"},
    "hover.marked": {
        "ja": "相手({target})は地図上の場所を持たないため、発信元に表示",
        "en": "Marked at its source: the other end ({target}) has no place on the map",
    },
    "hover.topics": {
        "ja": "関連する論点:{count}件(クリックで詳細)",
        "en": "Related topics: {count} (click for details)",
    },
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
    "hover.kind.rejection": {"ja": "否定", "en": "rejection"},
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
    "groupings.hint": {
        "ja": "チェックがなければ、すべての枠組みを表示します。",
        "en": "With none ticked, every grouping is shown.",
    },
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
    "modality.label": {"ja": "確度(論考の言い方)", "en": "Certainty (how the article says it)"},
    "modality.opt.asserted": {"ja": "断定のみ", "en": "Asserted only"},
    "modality.opt.assessed": {"ja": "+ 見立て(と見られる 等)", "en": "+ assessed (hedged)"},
    "modality.opt.projected": {
        "ja": "+ 予測・提言(であろう・べき 等)",
        "en": "+ projected and recommended",
    },
    "proposals.label": {"ja": "論考の提言", "en": "The article's proposals"},
    "proposals.on": {"ja": "提言を表示", "en": "Show proposals"},
    "focus.label": {"ja": "国を探す", "en": "Find a country"},
    "focus.placeholder": {"ja": "国名またはISOコード…", "en": "Country name or ISO code…"},
    "focus.unknown": {
        "ja": "「{text}」という国は見つかりません。候補から選ぶか、国名やISOコード(JPNなど)を入力してください。",
        "en": "No country called “{text}”. Pick a suggestion, or type a name or an ISO code such as JPN.",
    },
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
    "share.copied": {"ja": "リンクをコピーしました。", "en": "Link copied."},
    "share.copy_failed": {
        "ja": "コピーできませんでした。リンク欄を選択してコピーしてください。",
        "en": "Could not copy: select the link above and copy it.",
    },
    "save.button": {"ja": "シナリオを保存(YAML)", "en": "Save scenario (YAML)"},
    "export.label": {"ja": "画像として書き出す(1920×1080)", "en": "Export as image (1920×1080)"},
    "export.button": {"ja": "書き出し", "en": "Export"},
    "export.failed": {"ja": "書き出せませんでした:{reason}", "en": "Export failed: {reason}"},
    "export.cancel": {"ja": "中止", "en": "Cancel"},
    "export.cancelled": {"ja": "書き出しを中止しました。", "en": "Export cancelled."},
    "export.busy": {
        "ja": "混み合っています(同時に書き出せるのは{slots}件まで)。少し待ってからもう一度お試しください。",
        "en": "Busy: {slots} exports are being made right now. Try again in a moment.",
    },
    "export.ready": {"ja": "書き出しました:{name}", "en": "Exported {name}"},
    "export.progress": {"ja": "書き出しの進み具合", "en": "Export progress"},
    "export.step.prepare": {
        "ja": "表示を準備しています…({step}/{steps})",
        "en": "Preparing the view… ({step}/{steps})",
    },
    "export.step.render": {
        "ja": "画像を描画しています…({step}/{steps})",
        "en": "Rendering the image… ({step}/{steps})",
    },
    "export.step.send": {
        "ja": "ファイルを送っています…({step}/{steps})",
        "en": "Sending the file… ({step}/{steps})",
    },
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
    "compare.with": {"ja": "比較するシナリオ(B)", "en": "Scenario to compare with (B)"},
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
    "details.more_roles": {
        "ja": "ほか{count}件の役割(引用は本文パネルで強調表示):",
        "en": "{count} more role(s) (their quotes are marked in the article panel):",
    },
    "details.zoom": {"ja": "地図をこの項目に寄せる", "en": "Zoom the map to it"},
    "details.article_form": {"ja": "論考での表記", "en": "In the article as"},
    "details.place": {"ja": "場所", "en": "Place"},
    "details.date": {"ja": "日付", "en": "Date"},
    "details.members": {"ja": "構成国", "en": "Members"},
    "details.actors": {"ja": "参加", "en": "Taking part"},
    "details.role": {"ja": "役割", "en": "Role"},
    "details.through": {"ja": "経由", "en": "Through"},
    "details.sources": {"ja": "脅威の源", "en": "Sources"},
    "details.kinds": {"ja": "内容", "en": "Kinds"},
    "details.modality": {"ja": "確度", "en": "Certainty"},
    "details.hedge": {"ja": "ヘッジ表現", "en": "Hedged by"},
    "details.hedge_in_sentence": {"ja": "(引用と同じ文中)", "en": "(in the quote's sentence)"},
    "details.about": {"ja": "関連", "en": "About"},
    "details.topic_kind": {"ja": "論点の種類", "en": "Kind of topic"},
    "details.marked_at": {"ja": "表示", "en": "Drawn"},
    "details.placement.at_source": {
        "ja": "発信元に印で表示(相手は地図上の場所を持たない)",
        "en": "as a mark at its source (the other end has no place on the map)",
    },
    "details.placement.listed": {
        "ja": "地図には描かず一覧のみ(矢印にすると誤解を招くため)",
        "en": "listed only, not drawn (an arc would mislead)",
    },
    # the reading panel (the article beside the map)
    "read.toggle": {"ja": "本文を読む", "en": "Read the article"},
    "read.hide": {"ja": "本文を閉じる", "en": "Hide the article"},
    "read.heading": {"ja": "論考の本文", "en": "The article"},
    "read.title": {
        "ja": "「{title}」(英語版の題名)、{date}",
        "en": "“{title}”, {date} (English glosses of the Japanese text)",
    },
    "read.hint": {
        "ja": "文をクリック(Tabで移動してEnter)すると、その文が地図に示すものを強調します。"
        "もう一度クリックするかEscで解除。地図の項目をクリックすると、それを引用する文を示します。",
        "en": "Click a sentence (or Tab to it and press Enter) to emphasise what it puts on the "
        "map; click it again or press Esc to clear. Click an item on the map to find the "
        "sentences that cite it.",
    },
    "read.help": {
        "ja": "使い方と、引用の色・下線の意味",
        "en": "How to use the article panel, and what its colours and underlines mean",
    },
    "read.key_layers": {"ja": "引用の色=レイヤー:", "en": "Quotes, by layer:"},
    "read.layer_base": {"ja": "国(主体)", "en": "States (actors)"},
    "read.key_modality": {
        "ja": "下線=論考の確かさ:実線 断定・点線 見立て・破線 予測・二重線 提言。太字の波線=ヘッジ語。"
        "薄い文=地図に示すものなし(理由はポインタで表示)",
        "en": "Underline = how sure the article is: solid asserted, dotted assessed, dashed "
        "projected, double recommended. Bold wavy = the hedge words. Faint = maps to nothing "
        "(point at it for the reason)",
    },
    "read.show_ja": {"ja": "原文を併記", "en": "Show the Japanese under each gloss"},
    "read.loading": {"ja": "本文を読み込んでいます…", "en": "Loading the article…"},
    "read.footnotes": {"ja": "脚注", "en": "Footnotes"},
    "read.figure": {
        "ja": "論考の図はここには再現していません。",
        "en": "The article's figure is not reproduced here.",
    },
    "read.figure_open": {
        "ja": "本プロジェクトによる再構成(概念図)を地図に表示",
        "en": "Show this project's reconstruction (the concept diagram) on the map",
    },
    "read.unmapped": {
        "ja": "地図に示すものはありません:{reason}",
        "en": "Maps to nothing: {reason}",
    },
    "read.original": {"ja": "原文:{text}", "en": "Japanese: {text}"},
    "read.hedge": {
        "ja": "ヘッジ語「{words}」:{modality}",
        "en": "Hedge 「{words}」: {modality}",
    },
    "read.selected": {
        "ja": "{id}を選択:{records}件の記録、この地図で{shown}項目を強調",
        "en": "{id} selected: {records} record(s), {shown} item(s) emphasised on this map",
    },
    "read.cleared": {"ja": "文の選択を解除しました", "en": "Sentence cleared"},
    "read.cited": {"ja": "引用する文:{count}件", "en": "Cited in {count} sentence(s)"},
    "read.not_cited": {
        "ja": "この項目を引用する文はありません",
        "en": "No sentence of the article cites this item",
    },
    "read.tab_map": {"ja": "地図", "en": "Map"},
    "read.tab_article": {"ja": "本文", "en": "Article"},
    "read.tabs": {"ja": "地図と本文", "en": "Map and article"},
    "read.details_count": {
        "ja": "{count}件の記録(この表示の地図に{shown}件)",
        "en": "{count} record(s); {shown} on this view's map",
    },
    "read.details_heading": {"ja": "本文の文 {id}", "en": "Sentence {id}"},
    "read.not_shown": {"ja": "この表示にはない", "en": "not in this view"},
    "read.members": {"ja": "{name}:{count}か国", "en": "{name}: {count} states"},
    "read.go": {"ja": "本文で{id}を読む", "en": "Read {id} in the article"},
    # roles
    "role.actor": {"ja": "主体", "en": "Actor"},
    "role.inclusion": {"ja": "枠組みの包含", "en": "Inclusion"},
    "role.attribution": {"ja": "脅威の帰属", "en": "Attribution"},
    "role.membership": {"ja": "加盟・参加", "en": "Membership"},
    "role.grouping": {"ja": "枠組み", "en": "Grouping"},
    "role.relation": {"ja": "関係", "en": "Link"},
    "role.event": {"ja": "出来事", "en": "Event"},
    "role.threat": {"ja": "脅威", "en": "Threat"},
    "role.threat_source": {"ja": "脅威の源", "en": "Threat source"},
    "role.domain": {"ja": "領域の脅威", "en": "Domain threat"},
    "role.region": {"ja": "地域", "en": "Region"},
    "role.region_part": {"ja": "地域の一部", "en": "Part of a region"},
    "role.topic": {"ja": "論点", "en": "Topic"},
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
    "table.placement.at_source": {"ja": "発信元に印", "en": "marked at its source"},
    "table.placement.listed": {"ja": "地図には描かない", "en": "not drawn on the map"},
    "col.kind": {"ja": "種類", "en": "Kind"},
    "col.name": {"ja": "名前", "en": "Name"},
    "col.layer": {"ja": "レイヤー", "en": "Layer"},
    "col.basis": {"ja": "根拠", "en": "Basis"},
    "col.modality": {"ja": "確度", "en": "Certainty"},
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
    "kind.topic": {"ja": "論点", "en": "Topic"},
    "topickind.theme": {"ja": "主要テーマ", "en": "theme"},
    "topickind.institution": {"ja": "機関", "en": "institution"},
    "topickind.driver": {"ja": "背景", "en": "driver"},
    "topickind.framing": {"ja": "位置づけ", "en": "framing"},
    "topickind.definition": {"ja": "定義", "en": "definition"},
    "topickind.value": {"ja": "価値", "en": "value"},
    "topickind.trend": {"ja": "趨勢", "en": "trend"},
    "topickind.assessment": {"ja": "評価", "en": "assessment"},
    "topickind.technology": {"ja": "技術", "en": "technology"},
    "topickind.initiative": {"ja": "取り組み", "en": "initiative"},
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
    "skip.map": {"ja": "地図へ移動", "en": "Skip to the map"},
    "skip.table": {"ja": "項目の表へ移動", "en": "Skip to the table"},
    # the map's one-line summary, announced when it changes (a polite live region)
    "map.summary.title": {"ja": "地図:{title}。", "en": "Map: {title}."},
    "map.summary.untitled": {"ja": "地図:", "en": "Map:"},
    "map.summary.layers": {
        "ja": "{layers}を表示({count}件、下の表に一覧)。",
        "en": "Showing {layers} ({count} items, listed in the table below).",
    },
    "map.summary.projection": {"ja": "図法:{projection}。", "en": "Projection: {projection}."},
    "map.summary.none": {"ja": "表示中のレイヤーはありません。", "en": "No layer is shown."},
    "map.summary.focus": {"ja": "中心:{name}。", "en": "Centred on {name}."},
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
    # a view of one sentence: where the sentence is, and the works of its footnotes
    "export.sentence": {
        "ja": "強調:本文の文{id}(第{n}段落)が地図に示すもの。",
        "en": "Emphasised: what sentence {id} of the article (paragraph {n}) puts on the map.",
    },
    "export.sentence_footnote": {
        "ja": "強調:脚注{n}の文{id}が地図に示すもの。",
        "en": "Emphasised: what sentence {id} (footnote {n}) puts on the map.",
    },
    "export.sentence_source": {"ja": "脚注{n}:{source}。", "en": "Footnote {n}: {source}."},
    # the note on the concept diagram's map (and its exports)
    "map.concept_note": {
        "ja": "論考の図そのものではありません。本文と図題から本ツールが再構成した図で、<br>"
        "矢印は概念的な関係を示します(正確な地理ではありません)。",
        "en": "Not the article's own figure: this project's reconstruction from the article's<br>"
        "text and caption. Arrows are conceptual, not exact geography.",
    },
}

# plotly.js's own interface (the map's modebar tooltips and its notices) in Japanese, keyed by
# plotly's English; the dashboard's graphs get them as config `locales` (no locale file is
# fetched). The strings of the buttons a geo map shows and of the notices they raise.
PLOTLY_JA: dict[str, str] = {
    "Download plot as a PNG": "地図をPNGで保存",
    "Download plot": "地図を保存",
    "Preparing image - this may take a few seconds": "画像を準備しています(数秒かかります)",
    "Image download succeeded": "画像を保存しました",
    "Sorry, there was a problem downloading your image!": "画像を保存できませんでした",
    "Pan": "移動",
    "Zoom in": "拡大",
    "Zoom out": "縮小",
    "Reset": "元の表示に戻す",
    "Show closest data on hover": "カーソルに最も近い項目を表示",
    "Toggle show closest data on hover": "カーソルに最も近い項目の表示を切り替え",
    "Double-click on legend to isolate one trace": "凡例をダブルクリックすると、その項目だけを表示します",
}

# What the article's hedge words mean in English (the details panel and hover show them beside
# the Japanese). A citation's `hedge_ja` is matched whole, else by the longest word here in it.
HEDGE_MEANINGS: dict[str, str] = {
    "と見られる": "is seen as / reportedly",
    "見られる": "is seen as",
    "認知されつつある": "is coming to be perceived as",
    "位置づけられる": "can be regarded as",
    "と考える": "(the author) thinks",
    "考えられる": "is thought to",
    "であろう": "will likely",
    "となろう": "will likely become",
    "なろう": "would / will",
    "かねない": "could",
    "将来的に": "in future",
    "今後": "from now on",
    "期待される": "is expected to",
    "べき": "should",
    "必要である": "is necessary",
    "検討する": "consider",
    "不可欠": "is indispensable",
    "求められている": "is called for",
}


def hedge_meaning(hedge: str) -> str | None:
    """The English meaning of the article's hedge words (None when the catalogue lacks them)."""
    if hedge in HEDGE_MEANINGS:
        return HEDGE_MEANINGS[hedge]
    known = [word for word in HEDGE_MEANINGS if word in hedge]
    return HEDGE_MEANINGS[max(known, key=len)] if known else None


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
