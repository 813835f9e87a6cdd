"""The exported PDF as a document: Chromium's PDF of a view, post-processed (pikepdf) so that its
text extracts as the characters drawn, once, and it carries the view's title, subject, author
and language.

What Chromium's PDF writer (Skia) leaves, and what is done about it:

- each blurred shadow of the map labels' white halo is painted as an image plus an invisible
  copy of the text (fill alpha 0) "for extraction": ten copies of every label in the text layer.
  Those copies are removed (the picture does not change: they are invisible);
- a font's ToUnicode map keeps, for each glyph, the lowest code point that maps to it: Noto Sans'
  "fi" ligature extracts as U+FB01, a CJK font's 日 as the Kangxi radical ⽇ U+2F47. The figures'
  fonts (Noto Sans, BIZ UDPGothic: see dashboard.figures.style) avoid the radicals; what remains
  of both kinds is mapped back to the text it stands for (its NFKC form);
- the document's title is "Kaleido-fier" (kaleido's page title) and it has no author, subject or
  language: they are set from the view, in the document information and the XMP metadata.

The creation and modification dates are left as Chromium wrote them (the image cache restamps
them, see dashboard.export.images), in a PDF without object streams.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pikepdf
from pikepdf import Name

AUTHOR = "Alliance Atlas"
LANGUAGE_TAGS = {"ja": "ja-JP", "en": "en-GB"}
_TEXT_SHOW = {"Tj", "TJ", "'", '"'}
CMAP_BLOCK = 100  # entries in one bfchar block at most (PDF 32000-1, 9.10.3)


def finish_pdf(data: bytes, *, title: str, subject: str, lang: str) -> bytes:
    """Chromium's PDF as a document: its invisible text copies removed, its ToUnicode maps
    repaired, its metadata set."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        strip_invisible_text(pdf)
        repair_to_unicode(pdf)
        set_metadata(pdf, title=title, subject=subject, lang=LANGUAGE_TAGS.get(lang, lang))
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def strip_invisible_text(pdf: pikepdf.Pdf) -> int:
    """Remove every text block (BT … ET) painted with fill alpha 0; return how many."""
    removed = 0
    for page in pdf.pages:
        states = page.Resources.get("/ExtGState", {})
        alphas = {
            str(key): None if "/ca" not in state else float(state.ca)
            for key, state in states.items()
        }
        kept: list = []
        stack: list[float] = []
        alpha = 1.0
        block: list | None = None
        invisible = False
        for instruction in pikepdf.parse_content_stream(page):
            operator = str(instruction.operator)
            if operator == "q":
                stack.append(alpha)
            elif operator == "Q":
                alpha = stack.pop() if stack else 1.0
            elif operator == "gs":
                value = alphas.get(str(instruction.operands[0]))
                alpha = alpha if value is None else value
            if operator == "BT":
                block, invisible = [instruction], alpha == 0.0
                continue
            if block is not None:
                block.append(instruction)
                if operator == "ET":
                    if invisible and any(str(i.operator) in _TEXT_SHOW for i in block):
                        removed += 1
                    else:
                        kept.extend(block)
                    block = None
                continue
            kept.append(instruction)
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    return removed


def set_metadata(pdf: pikepdf.Pdf, *, title: str, subject: str, lang: str) -> None:
    """Title, subject, author, creator and language in the document information and the XMP
    metadata; the catalog's language, and viewers show the title rather than the file name."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["dc:description"] = subject
        meta["dc:creator"] = [AUTHOR]
        meta["dc:language"] = [lang]
        meta["xmp:CreatorTool"] = AUTHOR
    pdf.docinfo[Name.Title] = title
    pdf.docinfo[Name.Subject] = subject
    pdf.docinfo[Name.Author] = AUTHOR
    pdf.docinfo[Name.Creator] = AUTHOR
    pdf.Root.Lang = pikepdf.String(lang)
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)


def repair_to_unicode(pdf: pikepdf.Pdf) -> int:
    """Map every font's ligature and radical glyphs back to the text they stand for (see
    `repair_cmap`); return how many entries changed."""
    changed = 0
    seen: set[tuple[int, int]] = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != Name.Font:
            continue
        if "/ToUnicode" not in obj or obj.ToUnicode.objgen in seen:
            continue
        seen.add(obj.ToUnicode.objgen)
        data, count = repair_cmap(obj.ToUnicode.read_bytes())
        if count:
            obj.ToUnicode.write(data)
            changed += count
    return changed


def _repairable(code_point: int) -> bool:
    """Code points a font's cmap shares with the letters typed: Latin ligatures (U+FB00–FB06)
    and Kangxi radicals (U+2F00–2FD5), whose NFKC form is what was typed."""
    return 0xFB00 <= code_point <= 0xFB06 or 0x2F00 <= code_point <= 0x2FD5


def _repaired(destination: str) -> str:
    """A bfchar destination (UTF-16BE hex) with its repairable characters normalised."""
    text = bytes.fromhex(destination).decode("utf-16-be", errors="surrogatepass")
    fixed = "".join(unicodedata.normalize("NFKC", c) if _repairable(ord(c)) else c for c in text)
    return fixed.encode("utf-16-be", errors="surrogatepass").hex().upper()


_BFCHAR = re.compile(rb"(\d+)(\s+beginbfchar)(.*?)(endbfchar)", re.S)
_BFRANGE = re.compile(rb"(\d+)(\s+beginbfrange)(.*?)(endbfrange)", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>")


def repair_cmap(data: bytes) -> tuple[bytes, int]:
    """A ToUnicode CMap with ligature and radical destinations replaced by their NFKC text (a
    range that covers one becomes single entries), and how many entries changed."""
    count = 0

    def pair(match: re.Match[bytes]) -> bytes:
        nonlocal count
        old = match[2].decode().upper()
        new = _repaired(old)
        count += new != old
        return b"<" + match[1] + b"> <" + new.encode() + b">"

    def chars(match: re.Match[bytes]) -> bytes:
        return match[1] + match[2] + _PAIR.sub(pair, match[3]) + match[4]

    singles: list[tuple[str, str]] = []

    def ranges(match: re.Match[bytes]) -> bytes:
        nonlocal count
        kept = []
        for entry in _RANGE.finditer(match[3]):
            low, high, first = int(entry[1], 16), int(entry[2], 16), int(entry[3], 16)
            if not any(_repairable(first + i) for i in range(high - low + 1)):
                kept.append(entry[0])
                continue
            for i in range(high - low + 1):
                source = f"{low + i:0{len(entry[1])}X}"
                singles.append((source, _repaired(f"{first + i:04X}")))
                count += _repairable(first + i)
        if len(kept) == len(_RANGE.findall(match[3])):
            return match[0]
        return str(len(kept)).encode() + match[2] + b"\n" + b"\n".join(kept) + b"\n" + match[4]

    data = _BFCHAR.sub(chars, data)
    data = _BFRANGE.sub(ranges, data)
    blocks = [singles[i : i + CMAP_BLOCK] for i in range(0, len(singles), CMAP_BLOCK)]
    for block in blocks:
        entries = "\n".join(f"<{source}> <{target}>" for source, target in block)
        text = f"{len(block)} beginbfchar\n{entries}\nendbfchar\n".encode()
        data = data.replace(b"endcmap", text + b"endcmap", 1)
    return data, count
