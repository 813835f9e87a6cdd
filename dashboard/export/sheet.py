"""The contact sheet of a batch export (index.html): a thumbnail, the title, description and
state query of every exported view."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.export.caption import source_line
from geodata.scenario import Scenario


@dataclass(frozen=True)
class SheetEntry:
    """One exported view on the contact sheet."""

    scenario: Scenario
    file: str
    thumbnail: str | None


def contact_sheet(entries: Sequence[SheetEntry], *, fmt: str, size: tuple[int, int]) -> str:
    """index.html: a thumbnail, the title, description and state query of every exported view."""
    cards = []
    for entry in entries:
        s = entry.scenario
        query = "?" + s.to_query()
        thumb = (
            f'<a href="{html.escape(entry.file)}"><img src="{html.escape(entry.thumbnail)}" '
            f'alt="{html.escape(s.title())}" loading="lazy"></a>'
            if entry.thumbnail
            else ""
        )
        cards.append(
            f"""<figure lang="{s.lang}">{thumb}
<figcaption><a href="{html.escape(entry.file)}"><b>{html.escape(s.title())}</b></a>
<p>{html.escape(s.description())}</p>
<p class="meta">{html.escape(s.id or "custom")} · {s.lang} · {html.escape(entry.file)}</p>
<code>{html.escape(query)}</code>
<code>alliance-atlas export --state "{html.escape(query)}" --out {html.escape(entry.file)}</code>
</figcaption></figure>"""
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Alliance Atlas — exported views</title>
<style>
body {{ font-family: "Noto Sans CJK JP", sans-serif; margin: 24px; color: #1a1a1a; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 24px; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 12px; }}
img {{ width: 100%; height: auto; border: 1px solid #eee; }}
code {{ display: block; font-size: 12px; word-break: break-all; margin-top: 6px; color: #333; }}
.meta {{ color: #666; font-size: 13px; }}
</style></head><body>
<h1>Alliance Atlas — exported views</h1>
<p>{len(entries)} views, {fmt.upper()} at {size[0]}×{size[1]}. {html.escape(source_line("en"))}.
Made with Natural Earth. Open a view in the dashboard by appending its query to the dashboard URL.</p>
<main>
{chr(10).join(cards)}
</main></body></html>
"""
