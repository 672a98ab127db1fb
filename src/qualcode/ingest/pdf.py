"""PDF documents (a self-evaluation, board minutes, an annual report): their text layer, page by page.

PDFium (through pypdfium2, Apache-2.0/BSD) reads the text, because it is fast, maintained by Chromium's team and
reads the PDFs councils publish as a browser shows them. A PDF has no paragraphs or headings, only characters with
a place and a size, so both are rebuilt from those: a line set in a larger or bolder type than the body text, short
and without a full stop, is a heading; a wider gap than the line spacing, or a new page, starts a paragraph. A page
never shares a paragraph with the next, so every statement keeps the page it is on. Page furniture (a number, a
running header or footer at the edge of several pages) is kept as text but never read as a statement. A PDF whose
pages have no text is a scan: it is refused with a reason rather than read as empty.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from qualcode.errors import CorruptDocument, NoTextLayer
from qualcode.models import DOCUMENT, ParsedFile, RawTurn

HEADING_SIZE = 1.15  # a heading's type is at least this much larger than the body's (or bold, in body size)
HEADING_WORDS = 14
FURNITURE_PAGES = 3  # a line at a page's edge on this many pages (numbers aside) is a running header or footer
_PAGE_NUMBER = re.compile(r"(?i)^\s*(page\s*)?(\d+|[ivxlc]{1,6})(\s*(of|/)\s*\d+)?\s*$")
_BULLET = re.compile(r"^\s*([\u2022\u25aa\u25cf\u2013\u2014*\-]|\d{1,2}[.)]|[a-z][.)])\s+")
SOFT_HYPHEN = "\x02"  # PDFium's mark for a hyphen it added where a word breaks at a line's end
_DIGITS = re.compile(r"(?<![\w.])\d+(?![\w.])")


@dataclass
class _Line:
    text: str
    size: float
    bold: bool
    top: float
    bottom: float


def read_pdf(path: Path, data: bytes) -> ParsedFile:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        protected = "password" in str(exc).casefold()
        raise CorruptDocument("The PDF is protected by a password." if protected else "The PDF cannot be opened.",
                              path=path, hint="Save an unprotected copy, or print it to PDF again." if protected
                              else "It may be truncated or not a PDF: download or export it again.") from None
    try:
        pages = [_lines(document[number]) for number in range(len(document))]
    finally:
        document.close()
    if not any(line.text.strip() for page in pages for line in page):
        raise NoTextLayer(f"None of the PDF's {len(pages)} page(s) has a text layer: it is a scan, or pictures of "
                          "pages.", path=path)
    furniture = _furniture(pages)
    body = _body_size(pages)
    turns: list[RawTurn] = []
    warnings: list[str] = []
    blank = [number for number, page in enumerate(pages, start=1) if not any(li.text.strip() for li in page)]
    if blank:
        warnings.append(f"page(s) {_ranges(blank)} of the PDF have no text layer (pictures?) and were not read")
    for number, page in enumerate(pages, start=1):
        turns += _page_turns(page, number, furniture, body)
    return ParsedFile(format="pdf", turns=turns, warnings=tuple(warnings), source_type=DOCUMENT)


def _page_turns(page: list[_Line], number: int, furniture: set[str], body: float) -> list[RawTurn]:
    """One page's headings, paragraphs and furniture, in order. Only a line at the page's top or foot can be
    furniture (a "civil" or "ill" inside the text is a word, not a page number)."""
    turns: list[RawTurn] = []
    words = ""
    last: _Line | None = None
    filled = [line for line in page if line.text.strip()]
    edges = {id(line) for line in filled[:2] + filled[-2:]}
    for line in filled:
        text = " ".join(line.text.split())
        furnishing = id(line) in edges and (_key(text) in furniture or bool(_PAGE_NUMBER.match(text)))
        heading = not furnishing and _is_heading(line, text, body)
        if words and (furnishing or heading or (last is not None and _new_paragraph(last, line, text))):
            turns.append(RawTurn(speaker=None, text=_hyphens(words), line=number, page=number))
            words = ""
        if furnishing or heading:
            turns.append(RawTurn(speaker=None, text=_hyphens(text), line=number, page=number, is_heading=heading,
                                 is_furniture=furnishing))
            last = None
        else:
            words = _join(words, text)
            last = line
    if words:
        turns.append(RawTurn(speaker=None, text=_hyphens(words), line=number, page=number))
    return turns


def _join(words: str, line: str) -> str:
    """A paragraph's next line: a word PDFium marks as broken at the line's end (its soft hyphen) is joined again,
    without the hyphen before a lower-case letter ("devel-" "opers"), with it before anything else ("Non-"
    "Maintainer")."""
    if not words:
        return line
    if words.endswith(SOFT_HYPHEN):
        return words[:-1] + ("" if line[:1].islower() else "-") + line
    return f"{words} {line}"


def _hyphens(text: str) -> str:
    return text.replace(SOFT_HYPHEN, "-")


def _lines(page: object) -> list[_Line]:
    """The page's lines in reading order, each with its type size, weight and height on the page."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        handle = textpage.raw
        count = textpage.count_chars()
        lines: list[_Line] = []
        chars: list[str] = []
        sizes: list[float] = []
        weights: list[int] = []
        top = bottom = None
        left, right, low, high = (ctypes.c_double() for _ in range(4))
        for index in range(count):
            code = raw.FPDFText_GetUnicode(handle, index)
            if code in (10, 13):
                if chars:
                    lines.append(_line(chars, sizes, weights, top, bottom))
                    chars, sizes, weights, top, bottom = [], [], [], None, None
                continue
            chars.append(SOFT_HYPHEN if code == 2 else chr(code) if code >= 32 or code == 9 else " ")
            if code > 32:
                sizes.append(raw.FPDFText_GetFontSize(handle, index))
                weights.append(raw.FPDFText_GetFontWeight(handle, index))
                if raw.FPDFText_GetCharBox(handle, index, left, right, low, high):
                    top = high.value if top is None else max(top, high.value)
                    bottom = low.value if bottom is None else min(bottom, low.value)
        if chars:
            lines.append(_line(chars, sizes, weights, top, bottom))
        return lines
    finally:
        textpage.close()


def _line(chars: list[str], sizes: list[float], weights: list[int], top: float | None,
          bottom: float | None) -> _Line:
    return _Line(text="".join(chars), size=median(sizes) if sizes else 0.0,
                 bold=bool(weights) and sum(w >= 600 for w in weights) > len(weights) / 2,
                 top=top or 0.0, bottom=bottom or 0.0)


def _body_size(pages: list[list[_Line]]) -> float:
    """The type size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _is_heading(line: _Line, text: str, body: float) -> bool:
    words = text.split()
    numbered = re.match(r"^\d+(\.\d+)*\.?\s+[A-Z]", text)  # "5. Annual report" is a heading, not a list item
    if not 0 < len(words) <= HEADING_WORDS or text.endswith((".", ",", ";", ":")) or (
            _BULLET.match(text) and not numbered):
        return False
    if not re.search(r"[^\W\d_]", text):
        return False
    return body > 0 and (line.size >= body * HEADING_SIZE or (line.bold and line.size >= body * 0.95))


def _new_paragraph(last: _Line, line: _Line, text: str) -> bool:
    """A gap wider than a line, a list item, or a change of type size starts a paragraph."""
    height = max(last.top - last.bottom, line.top - line.bottom, 1.0)
    gap = last.bottom - line.top
    return gap > 0.8 * height or bool(_BULLET.match(text)) or abs(line.size - last.size) > 0.5


def _key(text: str) -> str:
    return " ".join(_DIGITS.sub(" ", text).casefold().split())


def _furniture(pages: list[list[_Line]]) -> set[str]:
    """Lines (numbers aside) that recur at the top or foot of pages: running headers and footers ("4 Chapter 1.
    Scope" and "Chapter 1. Scope 5" are one)."""
    if len(pages) < FURNITURE_PAGES:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        edges = [line.text for line in page if line.text.strip()]
        seen.update({_key(text) for text in edges[:2] + edges[-2:]})
    return {key for key, n in seen.items() if n >= FURNITURE_PAGES and key.strip("# ")}


def _ranges(numbers: list[int]) -> str:
    spans: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        spans.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return ", ".join(spans)
