"""The article in a news page: main text and metadata, with trafilatura.

trafilatura is the field's standard for news pages (it tops the main-content extraction
benchmarks and reads JSON-LD, OpenGraph and Dublin Core metadata): it drops navigation,
headers and footers, related links, comments and adverts.  Its output is then reduced to the
desk's canonical text (claims/text.py), one paragraph per block.  Used both for pages fetched
from an address and for uploaded .html files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass, field

import trafilatura
from lxml import html as lxml_html

from .text import canonicalize, html_to_text


@dataclass
class Extracted:
    body: str
    metadata: dict[str, object] = field(default_factory=dict)  # ArticleForm field names


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


# trafilatura collapses every Unicode space to " ", but French typography's no-break spaces
# are content (claims/text.py): they cross the extraction as private-use stand-ins.
_KEPT_SPACES = ("\u00a0", "\u202f", "\u2007")
_NBSP_ENTITIES = re.compile(r"&(?:nbsp|#160|#x0*a0);?", re.IGNORECASE)


def _protect_spaces(html: str) -> tuple[str, dict[str, str]]:
    # Stand-ins are printable words, because trafilatura also drops private-use and
    # invisible characters.
    html = _NBSP_ENTITIES.sub("\u00a0", html)
    mark = "\u27e6"
    while mark in html:
        mark += "\u27e6"
    mapping = {space: f"{mark}{i}\u27e7" for i, space in enumerate(_KEPT_SPACES) if space in html}
    for space, stand_in in mapping.items():
        html = html.replace(space, stand_in)
    return html, {stand_in: space for space, stand_in in mapping.items()}


def _restore(text: str, restore: dict[str, str]) -> str:
    for stand_in, space in restore.items():
        text = text.replace(stand_in, space)
    return text


def _element_text(element) -> str:
    """Text of a trafilatura output element, ``<lb/>`` kept as a line break.

    A raw newline only survives in trafilatura's text where it fell back to its baseline
    extractor, which joins the page's blocks with newlines: those are paragraph breaks.
    """
    parts: list[str] = []
    if element.text:
        parts.append(element.text.replace("\n", "\x00"))
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        else:
            parts.append(_element_text(child))
        if child.tail:
            parts.append(child.tail.replace("\n", "\x00"))
    return "".join(parts)


def _paragraphs(body) -> list[str]:
    out: list[str] = []
    for element in body:
        if element.tag == "list":
            out.extend(_element_text(item) for item in element.iter("item"))
        elif element.tag == "table":
            rows = (
                " ".join(_element_text(cell).strip() for cell in row.iter("cell"))
                for row in element.iter("row")
            )
            out.append("\n".join(rows))
        else:
            out.append(_element_text(element))
    # Collapse HTML-ish whitespace inside lines, as a browser would show them.
    return [
        "\n".join(re.sub(r"[ \t\r\f]+", " ", line).strip() for line in block.split("\n"))
        for p in out
        for block in p.split("\x00")
    ]


def _page_language(html: str, found: str | None) -> str:
    """trafilatura reports a language only with an optional detector; the page says it."""
    candidates = [found] if found else []
    try:
        tree = lxml_html.fromstring(html)
    except Exception:  # noqa: BLE001 (lxml raises several types on junk; no language then)
        tree = None
    if tree is not None:
        candidates.append(
            tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        )
        for script in tree.xpath('//script[@type="application/ld+json"]'):
            try:
                data = json.loads(script.text or "")
            except ValueError:
                continue
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict) and isinstance(item.get("inLanguage"), str):
                    candidates.append(item["inLanguage"])
        candidates.extend(tree.xpath('//meta[@http-equiv="content-language"]/@content'))
        candidates.extend(tree.xpath('//meta[@property="og:locale"]/@content'))
    for candidate in candidates:
        tag = (candidate or "").strip().replace("_", "-")
        if _LANGUAGE.match(tag):
            return tag.split("-")[0].lower() if tag.count("-") == 0 else tag
    return ""


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text and metadata of an HTML page.

    Metadata keys are ArticleForm's: title, byline, outlet, published_on (a date),
    language, url.  A key is present only when the page states it.  When trafilatura finds
    no main text (a bare fragment, a page of one line), the whole document is reduced to text
    as before, so nothing an editor uploads is silently lost.
    """
    protected, restore = _protect_spaces(html.replace("\x00", ""))
    document = trafilatura.bare_extraction(
        protected,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    metadata: dict[str, object] = {}
    body = ""
    if document is not None:
        paragraphs = [p for p in _paragraphs(document.body) if p.strip()]
        title = (document.title or "").strip()
        # The headline opens the body on most pages; it is the Title field, not text to check.
        if paragraphs and title and paragraphs[0].strip() == title:
            paragraphs = paragraphs[1:]
        body = canonicalize(_restore("\n\n".join(paragraphs), restore))
        title = _restore(title, restore)
        if title:
            metadata["title"] = title[:300]
        if document.author:
            metadata["byline"] = _restore(document.author, restore).replace(";", ",")[:200]
        if document.sitename:
            metadata["outlet"] = _restore(document.sitename, restore).strip()[:200]
        if document.date:
            with contextlib.suppress(ValueError):  # a date trafilatura could not normalise
                metadata["published_on"] = dt.date.fromisoformat(document.date[:10])
    language = _page_language(html, document.language if document is not None else None)
    if language:
        metadata["language"] = language
    if url:
        metadata["url"] = url
    if not body:
        body = html_to_text(html)
    return Extracted(body=body, metadata=metadata)
