"""Turn a canonical article body into HTML paragraphs, sentences and highlights.

The output keeps one promise the annotating script relies on: inside each
``<p data-offset="N">`` the concatenated text nodes are exactly
``body[N:paragraph_end]``, character for character, whatever the claims.
So nothing here may add whitespace, and every piece of text is escaped.

Overlapping and nested claims cannot be expressed as nested ``<mark>``
elements in general (two claims may cross), so the text is cut at every
sentence and claim boundary and each piece covered by at least one claim
becomes its own ``<mark>`` listing the claims that cover it. The HTML is built
in Python rather than in a template loop: it is the hot path of the desk and
a template would make stray whitespace too easy.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape  # the stdlib's: Django's lazy-aware wrapper costs 3x on this hot path

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from .models import ClaimStatus
from .text import paragraph_spans


@dataclass(frozen=True)
class Highlight:
    """A span to mark, with what the page needs to know about it."""

    claim_id: int
    start: int
    end: int
    # Extra attributes of the mark, e.g. the verdict on public pages; keys
    # and values are escaped on output.
    css_class: str = ""


# Given the highlights covering one marked piece (innermost first), the
# attributes of a link to wrap around its <mark>, or None for no link.
MarkLink = Callable[[Sequence[Highlight]], Mapping[str, str] | None]
# Given the same and the piece's start offset, extra attributes of the <mark>.
MarkAttrs = Callable[[Sequence[Highlight], int], Mapping[str, str]]


def render_article(
    body: str,
    sentences: Sequence[Sequence[int]],
    highlights: Iterable[Highlight],
    *,
    focusable_sentences: bool = True,
    mark_link: MarkLink | None = None,
    mark_attrs: MarkAttrs | None = None,
) -> SafeString:
    """Render `body` as ``<p>`` elements with sentence spans and ``<mark>`` pieces.

    `mark_link` (public pages) wraps each ``<mark>`` in an ``<a>`` with the
    attributes it returns, escaped here; it is called once per piece, in text
    order. Text nodes are the same with or without it, and without it the
    output is exactly the desk's. `mark_attrs` (the desk) adds attributes to
    each ``<mark>``, escaped here too.
    """
    highlights = sorted(highlights, key=lambda h: (h.start, -h.end, h.claim_id))
    sentence_starts = [s[0] for s in sentences]
    out: list[str] = []
    first_sentence = True
    for p_start, p_end in paragraph_spans(body):
        cuts = {p_start, p_end}
        p_sentences = _sentences_within(sentences, sentence_starts, p_start, p_end)
        for s_start, s_end in p_sentences:
            cuts.add(s_start)
            cuts.add(s_end)
        p_highlights = [h for h in highlights if h.start < p_end and h.end > p_start]
        for h in p_highlights:
            cuts.add(max(h.start, p_start))
            cuts.add(min(h.end, p_end))
        ordered = sorted(cuts)

        out.append(f'<p data-offset="{p_start}" data-end="{p_end}">')
        sentence_iter = iter(p_sentences)
        current = next(sentence_iter, None)
        open_sentence = False
        for a, b in zip(ordered, ordered[1:], strict=False):
            if current is not None and a >= current[1]:
                if open_sentence:
                    out.append("</span>")
                    open_sentence = False
                current = next(sentence_iter, None)
            if current is not None and a == current[0] and not open_sentence:
                # One tab stop for the whole text (roving tabindex, see desk.js).
                # The other sentences get no tabindex at all: a focusable
                # element under the pointer breaks drag-selection at its edge.
                focus = ' tabindex="0"' if focusable_sentences and first_sentence else ""
                first_sentence = False
                out.append(
                    f'<span class="sentence" data-start="{current[0]}" '
                    f'data-end="{current[1]}"{focus}>'
                )
                open_sentence = True
            # Innermost (shortest) claim first: a click on the piece opens it.
            covering = sorted(
                (h for h in p_highlights if h.start <= a and h.end >= b),
                key=lambda h: (h.end - h.start, h.claim_id),
            )
            text = escape(body[a:b])
            if covering:
                ids = " ".join(str(h.claim_id) for h in covering)
                classes = " ".join(
                    dict.fromkeys(
                        ["hl", f"hl-depth-{min(len(covering), 3)}"]
                        + [h.css_class for h in covering if h.css_class]
                    )
                )
                extra = _attributes(mark_attrs(covering, a)) if mark_attrs is not None else ""
                mark = f'<mark class="{escape(classes)}" data-claims="{ids}"{extra}>{text}</mark>'
                attrs = mark_link(covering) if mark_link is not None else None
                if attrs:
                    mark = f"<a{_attributes(attrs)}>{mark}</a>"
                out.append(mark)
            else:
                out.append(text)
        if open_sentence:
            out.append("</span>")
        out.append("</p>")
    return mark_safe("".join(out))  # noqa: S308 - every text piece above is escaped


def _attributes(attrs: Mapping[str, str]) -> str:
    return "".join(f' {escape(str(k))}="{escape(str(v))}"' for k, v in attrs.items())


def _sentences_within(sentences, starts, p_start, p_end):
    i = max(bisect_right(starts, p_start) - 1, 0)
    result = []
    while i < len(sentences) and sentences[i][0] < p_end:
        s_start, s_end = sentences[i]
        if s_end > p_start and s_start >= p_start and s_end <= p_end and s_end > s_start:
            result.append((s_start, s_end))
        i += 1
    return result


def render_claim_list(claims, *, article_url: str, claim_url_root: str, current_id, language):
    """The sidebar's list items, in text order.

    Built in Python for the same reason as the text: with hundreds of claims
    a template loop costs several times the rest of the page. Every value
    from the database goes through escape().
    """
    lang = escape(language)
    # Looked up once, not per claim: the interface words of each item.
    claim_label = gettext("Claim %(number)s:")
    source_counts: dict[int, str] = {}
    verdicts: dict[int, str] = {}  # by rating: a scale has a handful, a page hundreds of claims
    anchor_badges = _anchor_badges()
    out = []
    for c in claims:
        pk = int(c.pk)
        current = ' is-current" aria-current="true' if pk == current_id else ""
        rating = ""
        if c.rating_id:
            rating = verdicts.get(c.rating_id)
            if rating is None:
                verdict = c.rating.shown_label  # in the interface language, else the newsroom's
                rating = verdicts[c.rating_id] = (
                    f' · <span lang="{escape(verdict.lang)}">{escape(verdict.label)}</span>'
                )

        count = int(c.source_count)
        sources = source_counts.get(count)
        if sources is None:
            sources = source_counts[count] = escape(
                ngettext("%(count)s source", "%(count)s sources", count) % {"count": count}
            )
        number = escape(claim_label % {"number": c.number})
        status = escape(c.status)
        out.append(
            f'<li><a class="claim-link{current}" data-claim="{pk}" data-status="{status}" '
            f'href="{article_url}?claim={pk}" data-hx-get="{claim_url_root}{pk}/">'
            f'<span class="claim-link__num" aria-hidden="true">{int(c.number)}'
            f"{STATUS_SIGNS.get(c.status, '')}</span>"
            f'<span class="claim-link__body"><span class="visually-hidden">{number} '
            f'</span><span class="claim-link__text" lang="{lang}">{escape(c.label)}</span> '
            f'<span class="claim-link__meta"><span class="status status--{status}">'
            f"{escape(c.status_label)}</span>{rating} · {sources}"
            f"{anchor_badges.get(getattr(c, 'anchor_status', ''), '')}</span></span></a></li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or an int


# Each status has a sign as well as a colour and a line style (desk.css), so
# that it does not rest on colour alone. Signs rather than letters: the same
# in every interface language.
STATUS_SIGNS = {
    "draft": "✎",
    "in_review": "◐",
    "changes_requested": "↺",
    "published": "✓",
    "withdrawn": "⊘",
}


def status_keys() -> list[dict]:
    """The legend of the desk's highlights: each status, its sign and its name."""
    return [
        {"status": value, "sign": STATUS_SIGNS[value], "label": label}
        for value, label in ClaimStatus.choices
    ]


def claim_mark_attrs(claims) -> MarkAttrs:
    """The desk's mark attributes: the innermost claim's status, and badges.

    A piece where claims start carries their badges ("3✎"), drawn by CSS
    generated content so that the text nodes stay exactly the body's, with
    a spoken alternative ("Claim 3, draft:") for screen readers.
    """
    names = {value: str(label).lower() for value, label in ClaimStatus.choices}
    spoken = gettext("Claim %(number)s, %(status)s:")
    status_of = {c.pk: c.status for c in claims}
    starting: dict[int, list] = {}
    for c in sorted(claims, key=lambda c: c.number):
        starting.setdefault(c.start, []).append(c)
    # Worked out once per place where claims start, not once per piece.
    badges = {
        start: {
            "data-badge": " ".join(f"{c.number}{STATUS_SIGNS.get(c.status, '')}" for c in group),
            "data-badge-label": " ".join(
                spoken % {"number": c.number, "status": names.get(c.status, c.status)}
                for c in group
            )
            + " ",
        }
        for start, group in starting.items()
    }

    def attrs(covering: Sequence[Highlight], start: int) -> Mapping[str, str]:
        return {"data-status": status_of[covering[0].claim_id], **badges.get(start, {})}

    return attrs


def _anchor_badges() -> dict[str, str]:
    """After a revision: a word (and a symbol, from desk.css) on the uncertain highlights."""
    check, gone = escape(gettext("Position to check")), escape(gettext("Passage gone"))
    return {
        "needs_check": f' · <span class="anchor-badge anchor-badge--check">{check}</span>',
        "orphaned": f' · <span class="anchor-badge anchor-badge--orphaned">{gone}</span>',
    }


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_passage(body: str, start: int, end: int) -> SafeString:
    """The paragraph(s) around [start, end) with that span marked: the claim in context."""
    out = []
    for p_start, p_end in paragraph_spans(body):
        if p_end <= start or p_start >= end:
            continue
        a, b = max(start, p_start), min(end, p_end)
        out.append(
            f"<p>{escape(body[p_start:a])}<mark>{escape(body[a:b])}</mark>"
            f"{escape(body[b:p_end])}</p>"
        )
    return mark_safe("".join(out))  # noqa: S308 - escaped above
