"""Canonical article text, and turning uploaded files into it.

Every claim is anchored by code-point offsets into an article's body (DESIGN.md §5), so the
body must be stored in one canonical form: if two spellings of the same text could be stored,
offsets computed against one would silently point elsewhere in the other.  Canonical text is:

* Unicode NFC, so "é" is always one code point, whichever keyboard or CMS produced it;
* ``\\n`` line ends only (CR, CRLF and the Unicode line/paragraph separators are folded);
* no trailing spaces or tabs on a line, but no-break spaces are kept: French typography puts
  U+00A0 before ``: ; ! ?`` and inside « », and it must survive exactly as typed;
* paragraphs separated by exactly one blank line, single newlines inside a paragraph kept
  (a photo caption and its credit line stay distinct lines);
* no NUL characters (PostgreSQL text columns refuse them), the whole text trimmed.

Everything else (typographic apostrophes, zero-width characters, bidi marks, emoji) is content
and is left untouched.  Django only translates the refusal messages (lazily, in the reader's
language); this is used by forms, the importer and tests alike.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import PreformattedString
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# An uploaded snippet that looks like a file name or URL is still text to us; bs4's warnings
# about that would only be noise in logs.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

MAX_BODY_CHARS = 200_000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
ALLOWED_EXTENSIONS = (".txt", ".md", ".html", ".htm")

# Characters that Python's str.splitlines() treats as line boundaries, besides "\n" and "\r":
# VT, FF, FS, GS, RS, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.  Folding all of them to "\n"
# means no later code (ours or a library's) can disagree with us about where lines are.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


class TextImportError(ValueError):
    """A file or text the desk refuses; ``str(error)`` is a message for the editor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def canonicalize(text: str) -> str:
    """Return the canonical form of ``text`` (see the module docstring).

    Idempotent: ``canonicalize(canonicalize(x)) == canonicalize(x)``.  A line made only of
    whitespace, including no-break spaces, counts as blank: it is invisible to an editor and
    cannot carry a claim, so it only separates paragraphs.
    """
    # NUL first, so that a NUL between a letter and a combining accent cannot stop NFC
    # from composing them (and a second pass from composing them later).
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    text = _LINE_BREAKS.sub("\n", text)
    text = _TRAILING_SPACE.sub("", text)
    text = "\n".join("" if line.isspace() else line for line in text.split("\n"))
    text = _PARAGRAPH_BREAK.sub("\n\n", text)
    return text.strip()


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each paragraph of a canonical body.

    Paragraphs are rendered one per element with their start offset, so the browser can map
    a DOM selection back to body offsets.  Empty paragraphs are skipped, which only matters
    for a body that is not canonical.
    """
    spans = []
    start = 0
    while start <= len(body):
        end = body.find("\n\n", start)
        if end == -1:
            end = len(body)
        if end > start:
            spans.append((start, end))
        start = end + 2
    return spans


def check_body_length(text: str) -> str:
    """Refuse a body over MAX_BODY_CHARS code points; return it unchanged otherwise.

    Bounds the cost of rendering, segmenting and re-anchoring one article.
    """
    if len(text) > MAX_BODY_CHARS:
        raise TextImportError(
            gettext("The text is longer than %(limit)s characters.")
            % {"limit": number_format(MAX_BODY_CHARS, force_grouping=True)}
        )
    return text


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

# Elements whose content is never article text (code, metadata, embedded objects, forms).
_DROPPED_TAGS = frozenset(
    """script style template noscript iframe object embed applet svg math canvas head title
    meta link base audio video source track picture map area select option optgroup datalist
    textarea input button""".split()  # noqa: SIM905 (a word list reads better)
)
# Elements that start a new paragraph.
_BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody tfoot thead tr ul""".split()  # noqa: SIM905
)
# Table cells stay on their row's line, separated by a space.
_CELL_TAGS = frozenset({"td", "th"})
# HTML's own whitespace (the spec's ASCII whitespace); U+00A0 from &nbsp; is content.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_SPACE_RUN = re.compile(r"  +")
_PARAGRAPH_MARK = "\x00"  # NUL cannot survive in the output (canonicalize removes it) so it
# is a safe private marker here; real NULs in the input are removed before parsing.


def html_to_text(html: str) -> str:
    """Reduce an HTML document or fragment to canonical paragraphs of plain text.

    Uses BeautifulSoup with the stdlib "html.parser" backend (no C dependency, and it never
    executes anything).  Scripts, styles and other non-text elements are dropped with their
    content; block elements become paragraph breaks, ``<br>`` a line break; runs of HTML
    whitespace collapse to one space as a browser would display them, while ``&nbsp;`` stays a
    no-break space; inside ``<pre>`` line breaks are kept (indentation is not: articles are
    prose, and the desk renders every paragraph the same way).  Entities are decoded by the parser,
    so ``&lt;`` becomes a literal "<" character, which is text; no tag ever reaches the output.
    The tree is walked iteratively so that absurdly nested markup cannot exhaust the stack.
    """
    soup = BeautifulSoup(html.replace("\x00", ""), "html.parser")
    out: list[str] = []
    # Stack of (node, in_pre) to visit, or a str to emit when an element closes.
    stack: list[tuple[object, bool] | str] = [(soup, False)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, in_pre = item
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # Comment, Doctype, CData, PI...
                text = str(node)
                if in_pre:
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                    out.append("\n".join(_HTML_SPACE.sub(" ", line) for line in text.split("\n")))
                else:
                    out.append(_HTML_SPACE.sub(" ", text))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in _DROPPED_TAGS:
            continue
        if name == "br":
            out.append("\n")
            continue
        closing = ""
        if name in _BLOCK_TAGS:
            out.append(_PARAGRAPH_MARK)
            closing = _PARAGRAPH_MARK
        elif name in _CELL_TAGS:
            out.append(" ")
            closing = " "
        child_pre = in_pre or name == "pre"
        if closing:
            stack.append(closing)
        stack.extend((child, child_pre) for child in reversed(node.contents))
    # Text nodes were collapsed one by one; collapse again across node boundaries
    # ("a <b> b</b>"), as a browser would display it.
    text = _SPACE_AROUND_NEWLINE.sub("\n", _SPACE_RUN.sub(" ", "".join(out)))
    paragraphs = (p.strip(" ") for p in text.split(_PARAGRAPH_MARK))
    return canonicalize("\n\n".join(p for p in paragraphs if p and not p.isspace()))


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_RULE = re.compile(r"^ {0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$")  # thematic break / setext
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
_MD_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_MD_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_MD_ITEM = re.compile(r"^[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+")
_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:[ \t]+\"[^\"]*\")?\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_CODE = re.compile(r"(?<!\\)`+([^`]+?)`+")
_MD_STRONG_STAR = re.compile(r"(?<!\\)\*\*(?=\S)(.+?)(?<=\S)(?<!\\)\*\*")
_MD_STRONG_UNDERSCORE = re.compile(r"(?<![\\\w])__(?=\S)(.+?)(?<=\S)(?<!\\)__(?!\w)")
_MD_EM_STAR = re.compile(r"(?<!\\)\*(?=\S)(.+?)(?<=\S)(?<!\\)\*")
_MD_EM_UNDERSCORE = re.compile(r"(?<![\\\w])_(?=\S)(.+?)(?<=\S)(?<!\\)_(?!\w)")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _markdown_inline(line: str) -> str:
    line = _MD_IMAGE_OR_LINK.sub(r"\1", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_CODE.sub(r"\1", line)
    line = _MD_STRONG_STAR.sub(r"\1", line)
    line = _MD_STRONG_UNDERSCORE.sub(r"\1", line)
    line = _MD_EM_STAR.sub(r"\1", line)
    line = _MD_EM_UNDERSCORE.sub(r"\1", line)
    return _MD_ESCAPE.sub(r"\1", line)


def markdown_to_text(md: str) -> str:
    """Reduce Markdown to canonical text with a few predictable, line-based rules.

    Not a Markdown renderer, just enough that a reporter's .md draft reads as prose:
    heading markers ``#``, quote markers ``>``, list bullets (``-``, ``*``, ``+``, ``1.``),
    emphasis pairs (``*``, ``_``, ``**``, ``__``), inline code backticks, fence lines and
    horizontal rules are removed; ``[text](url)`` and ``![alt](url)`` become their text;
    backslash escapes are resolved.  As in rendered Markdown, lines of one paragraph that were
    merely wrapped are joined with a space (otherwise every wrap would split a sentence),
    while headings, list items, fenced code lines and hard breaks (two trailing spaces or a
    trailing backslash) keep their own line.
    """
    lines: list[str] = []
    joinable = False  # may the next plain line continue the previous one?
    in_fence = False
    # Only line ends are normalised first: trailing spaces still mark hard breaks here.
    for raw in _LINE_BREAKS.sub("\n", md.replace("\x00", "")).split("\n"):
        if _MD_FENCE.match(raw):
            in_fence = not in_fence
            joinable = False
            continue
        if in_fence:
            lines.append(raw)
            continue
        hard_break = raw.endswith("  ") or raw.endswith("\\")
        line = raw
        while _MD_QUOTE.match(line):
            line = _MD_QUOTE.sub("", line, count=1)
        if not line.strip() or _MD_RULE.match(line):
            lines.append("")
            joinable = False
            continue
        if _MD_HEADING.match(line):
            heading = _MD_HEADING_CLOSE.sub("", _MD_HEADING.sub("", line, count=1))
            lines.extend(["", _markdown_inline(heading.strip()), ""])
            joinable = False
            continue
        is_item = bool(_MD_ITEM.match(line))
        text = _markdown_inline(_MD_ITEM.sub("", line, count=1).strip())
        if hard_break and text.endswith("\\"):
            text = text[:-1].rstrip()
        if joinable and not is_item and lines:
            lines[-1] = f"{lines[-1]} {text}"
        else:
            lines.append(text)
        joinable = not hard_break
    return canonicalize("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------------------------

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_SHARE = 0.05  # real text has almost no C0 control characters besides \t \n \r \f \v


def _looks_binary(sample: str | bytes) -> bool:
    """NUL, or more than a few percent of C0 control characters: not something to read."""
    pattern = _CONTROL_BYTES if isinstance(sample, bytes) else _CONTROL_CHARS
    nul = b"\x00" if isinstance(sample, bytes) else "\x00"
    return nul in sample or len(pattern.findall(sample)) > _BINARY_SHARE * len(sample)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")  # the BOM tells the byte order and is consumed
        except UnicodeDecodeError:
            raise TextImportError(_("The file is not valid UTF-8 text.")) from None
    else:
        if _looks_binary(data):
            raise TextImportError(_("This looks like a binary file, not text."))
        try:
            text = data.decode("utf-8-sig")  # strips a UTF-8 BOM if there is one
        except UnicodeDecodeError:
            raise TextImportError(_("The file is not valid UTF-8 text.")) from None
    if _looks_binary(text):
        raise TextImportError(_("This looks like a binary file, not text."))
    return text


def decode_upload(data: bytes, filename: str) -> str:
    """Turn an uploaded .txt, .md or .html file into a canonical article body.

    See :func:`import_upload`, which also returns what an HTML page says about itself.
    """
    return import_upload(data, filename)[0]


def import_upload(data: bytes, filename: str) -> tuple[str, dict]:
    """Turn an uploaded .txt, .md or .html file into (canonical body, metadata).

    Raises TextImportError with a message fit for the editor when the file is refused.
    Only UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted: guessing a legacy
    encoding would sometimes produce plausible but wrong text, which is worse for a fact-check
    desk than asking for a re-export.
    """
    extension = os.path.splitext((filename or "").strip().lower())[1]
    if extension not in ALLOWED_EXTENSIONS:
        raise TextImportError(_("Upload a .txt, .md or .html file."))
    if not data:
        raise TextImportError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise TextImportError(_("The file is larger than 2 MB."))
    text = _decode(data)
    metadata: dict = {}
    if extension in (".html", ".htm"):
        # A saved web page goes through the same main-text extraction as a fetched one, so
        # its menus, adverts and footer are not loaded as paragraphs to check.
        from .extraction import extract_html

        extracted = extract_html(text)
        body, metadata = extracted.body, extracted.metadata
    elif extension == ".md":
        body = markdown_to_text(text)
    else:
        body = canonicalize(text)
    if not body:
        raise TextImportError(_("The file contains no text."))
    return check_body_length(body), metadata
