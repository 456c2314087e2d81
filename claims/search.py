"""Full-text search of articles and claims (the desk) and of published fact-checks (readers).

The index is kept by the database (``search_schema``): PostgreSQL's tsvector
columns, in each text's own language with accents folded, or SQLite's FTS5
tables. This module turns what a person typed into a query the engine cannot
misread, runs it ranked and paginated, and returns highlights built safely.

**What was typed never becomes query syntax.** ``parse`` keeps the words
(runs of letters and digits) and nothing else; each word is then a quoted
FTS5 string or an escaped tsquery lexeme (Django's ``Lexeme``), searched as a
prefix, and all words must match. So ``"``, ``*``, ``NEAR``, ``:``, ``&`` or
``'`` can never be an operator or an error: they are separators, as they are
in the indexed text.

**Highlights.** The engine marks matches with two private-use characters
(``search_schema.START``/``STOP``, removed from the text it indexes and
highlights); ``marked`` escapes every piece of text and puts its own
``<mark>`` elements where they were. Nothing from the text is ever markup.

**Languages.** On PostgreSQL a document is indexed with its article's
configuration (French, English or "simple", each with unaccent), and the
query is the OR of the words parsed in each of the three, so that a French
document is matched by French stems ("évaluation" finds "évalué") and every
configuration uses the same GIN index. SQLite has no stemmer for French;
prefixes ("evalu" finds "évaluée") stand in for it.
"""

from __future__ import annotations

import logging
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from functools import reduce

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Func, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from .models import Article, Claim, ClaimStatus
from .search_schema import (
    ARTICLE_FTS,
    CLAIM_FTS,
    PG_CONFIGS,
    PUBLIC_FTS,
    START,
    STOP,
)

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
PAGE_SIZE = 20

# Runs of letters and digits: what both engines' tokenizers keep as words.
_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(f"([{START}{STOP}])")


class SearchError(Exception):
    """The engine refused a query (never expected: ``parse`` leaves no syntax)."""


@dataclass(frozen=True)
class Query:
    text: str  # as typed, shown back in the search box
    terms: tuple[str, ...] = ()
    message: str = ""  # why nothing was searched, for the person who typed it
    ignored: int = 0  # words beyond MAX_TERMS, not searched (and said so)

    @property
    def searchable(self) -> bool:
        return bool(self.terms)

    @property
    def note(self) -> str:
        if not self.ignored:
            return ""
        return ngettext(
            "Only the first %(max)d words were searched; %(n)d more word was left out.",
            "Only the first %(max)d words were searched; %(n)d more words were left out.",
            self.ignored,
        ) % {"max": MAX_TERMS, "n": self.ignored}


def parse(text: str | None) -> Query:
    """What was typed, as words to search for, or a message saying why there are none."""
    text = (text or "").replace("\x00", "")
    if not text.strip():
        return Query(text, message=gettext("Type a word to search for."))
    if len(text) > MAX_QUERY_CHARS:
        return Query(
            text,
            message=gettext("Search for at most %(max)d characters (this is %(n)d).")
            % {"max": MAX_QUERY_CHARS, "n": len(text)},
        )
    terms, seen = [], set()
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        folded = word.casefold()
        if folded not in seen:
            seen.add(folded)
            terms.append(word)
    if not terms:
        return Query(text, message=gettext("Type at least one word, with letters or digits."))
    return Query(text, tuple(terms[:MAX_TERMS]), ignored=max(0, len(terms) - MAX_TERMS))


def marked(value: str | None) -> SafeString:
    """The engine's highlighted text as HTML: every piece escaped, only our own <mark>s."""
    parts, inside, opened = [], False, False
    for piece in _MARKS.split(value or ""):
        if piece == START:
            inside = True
        elif piece == STOP:
            if opened:
                parts.append("</mark>")
            inside = opened = False
        elif piece:
            if inside and not opened:
                parts.append("<mark>")
                opened = True
            parts.append(escape(piece))
    if opened:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - text escaped above, tags are ours


def has_match(value: str | None) -> bool:
    return bool(value) and START in value


@dataclass
class Hit:
    pk: int
    # Highlighted fields, as the engine returned them (``marked`` renders them).
    raw: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> SafeString:
        # Templates look names up here first (``hit.title``); other names are attributes.
        if name not in self.raw:
            raise KeyError(name)
        return marked(self.raw[name])

    @property
    def excerpt_matched(self) -> bool:
        """Whether a word matched in a claim's ruling or its sources (then they are shown)."""
        return has_match(self.raw.get("ruling")) or has_match(self.raw.get("sources"))

    @property
    def excerpt_field(self) -> str:
        """Which excerpt of a claim to show: the ruling, unless only its sources matched."""
        if not has_match(self.raw.get("ruling")) and has_match(self.raw.get("sources")):
            return "sources"
        return "ruling"


@dataclass(frozen=True)
class Page:
    total: int
    hits: list[Hit]


# What each kind shows: fields in full (short ones) and excerpts (long ones).
KINDS = {
    "articles": {"full": ("title", "outlet", "byline"), "excerpt": ("body",)},
    "claims": {
        "full": ("statement", "claimant"),
        "excerpt": ("exact", "ruling", "sources"),
    },
    "published": {
        "full": ("statement", "claimant"),
        "excerpt": ("exact", "ruling", "sources"),
    },
}


def search(kind: str, query: Query, *, offset: int, limit: int) -> Page:
    """One page of `kind` ("articles", "claims" or "published") matching `query`, best first.

    Two queries: the count and the page (none for the page when `limit` is 0).
    Ties keep the newest first, so the order is stable from page to page.
    """
    if not query.searchable:
        return Page(0, [])
    backend = _postgresql if connection.vendor == "postgresql" else _sqlite
    try:
        # A savepoint: an engine error must not break the request's transaction.
        with transaction.atomic():
            return backend(kind, query.terms, offset, limit)
    except DatabaseError as error:
        logger.exception("Search failed for %r", query.terms)
        raise SearchError(str(error)) from error


# -- SQLite: FTS5 --------------------------------------------------------------

_SQLITE = {
    "articles": (ARTICLE_FTS, ("title", "outlet", "byline", "body"), "10.0, 3.0, 3.0, 1.0"),
    "claims": (
        CLAIM_FTS,
        ("statement", "exact", "claimant", "ruling", "sources"),
        "10.0, 4.0, 4.0, 2.0, 1.0",
    ),
    "published": (
        PUBLIC_FTS,
        ("statement", "exact", "claimant", "ruling", "sources"),
        "10.0, 4.0, 4.0, 2.0, 1.0",
    ),
}


def fts5_query(terms: tuple[str, ...]) -> str:
    """Each word a quoted FTS5 string searched as a prefix; all of them must match."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def _sqlite(kind: str, terms, offset: int, limit: int) -> Page:
    table, columns, weights = _SQLITE[kind]
    shown = KINDS[kind]
    match = fts5_query(terms)
    marks = [f"'{START}'", f"'{STOP}'"]
    selects = []
    for name in (*shown["full"], *shown["excerpt"]):
        i = columns.index(name)
        if name in shown["full"]:
            selects.append(f"highlight({table}, {i}, {', '.join(marks)})")
        else:
            selects.append(f"snippet({table}, {i}, {', '.join(marks)}, '…', 24)")
    names = [*shown["full"], *shown["excerpt"]]
    key, join, where = f"{table}.rowid", "", ""
    if kind == "published":
        # Every version is indexed; readers find the current one of a claim not withdrawn.
        key = "c.id"
        join = f" JOIN claims_claim c ON c.current_version_id = {table}.rowid"
        where = f" AND c.slug IS NOT NULL AND c.status <> '{ClaimStatus.WITHDRAWN}'"
    # Table names, columns and the status are ours; the one value is a parameter.
    matching = f"FROM {table}{join} WHERE {table} MATCH %s{where}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {matching}", [match])  # noqa: S608
        total = cursor.fetchone()[0]
        if not limit or not total:
            return Page(total, [])
        cursor.execute(
            f"SELECT {key}, {', '.join(selects)} {matching} "  # noqa: S608
            f"ORDER BY bm25({table}, {weights}), {key} DESC LIMIT %s OFFSET %s",
            [match, limit, offset],
        )
        rows = cursor.fetchall()
    return Page(total, [Hit(row[0], dict(zip(names, row[1:], strict=True))) for row in rows])


# -- PostgreSQL: tsvector, GIN -------------------------------------------------


def pg_query(terms: tuple[str, ...]):
    """The words as prefixes, all required, parsed in each configuration, OR-ed."""
    from django.contrib.postgres.search import Lexeme, SearchQuery

    lexemes = reduce(operator.and_, (Lexeme(term, prefix=True) for term in terms))
    return reduce(
        operator.or_,
        (SearchQuery(lexemes, config=f"{name}_unaccent") for name in PG_CONFIGS),
    )


def _text(function: str, *expressions):
    return Func(*expressions, function=function, output_field=TextField())


def _pg_sources(kind: str):
    if kind == "claims":
        return _text("factcheck_claim_sources_text", F("pk"))
    return _text("factcheck_version_sources_text", F("current_version__sources"))


def _postgresql(kind: str, terms, offset: int, limit: int) -> Page:
    from django.contrib.postgres.search import SearchHeadline, SearchRank, SearchVectorField

    query = pg_query(terms)
    if kind == "articles":
        queryset, column, prefix = Article.objects.all(), "search_vector", ""
        language = F("language")
    elif kind == "claims":
        queryset, column, prefix = Claim.objects.all(), "search_vector", ""
        language = F("article__language")
    else:
        # public_vector is NULL unless readers see the claim; the filter says so again.
        queryset = Claim.objects.filter(current_version__isnull=False, slug__isnull=False).exclude(
            status=ClaimStatus.WITHDRAWN
        )
        column, prefix = "public_vector", "current_version__"
        language = F("article__language")
    table = queryset.model._meta.db_table
    # The column is kept by triggers and unknown to the model (search_schema).
    vector = RawSQL(f'"{table}"."{column}"', (), output_field=SearchVectorField())  # noqa: S611
    matching = queryset.alias(vector=vector).filter(vector=query)
    total = matching.count()
    if not limit or not total:
        return Page(total, [])
    config = _text("factcheck_search_config", language)
    shown = KINDS[kind]
    headlines = {}
    for name in (*shown["full"], *shown["excerpt"]):
        source = _pg_sources(kind) if name == "sources" else F(f"{prefix}{name}")
        options = (
            {"highlight_all": True}
            if name in shown["full"]
            else {"max_words": 30, "min_words": 12, "max_fragments": 2, "fragment_delimiter": " … "}
        )
        headlines[f"h_{name}"] = SearchHeadline(
            _text("factcheck_search_clean", source),
            query,
            config=config,
            start_sel=START,
            stop_sel=STOP,
            **options,
        )
    rows = (
        matching.annotate(rank=SearchRank(vector, query), **headlines)
        .order_by("-rank", "-pk")
        .values("pk", *headlines)[offset : offset + limit]
    )
    return Page(
        total,
        [Hit(row["pk"], {name[2:]: row[name] for name in headlines}) for row in rows],
    )
