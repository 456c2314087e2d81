"""The article as readers see it: its text, each published claim a highlight and a link.

Built on the desk's renderer (``claims.rendering.render_article``), so the
text and its offsets are exactly the desk's, but with no sentence spans and
every ``<mark>`` wrapped in a link to its fact-check:

- without JavaScript the highlight is a plain link to the fact-check page;
- with it (``public.js``) the link opens a small panel with the verdict;
- each fact-check has one tab stop (its first piece, which also carries the
  ``id`` the fact-check page links to); the other pieces of the same claim
  are still links, with ``tabindex="-1"``;
- the link is described by the verdict (``aria-describedby``), so a screen
  reader announces "the quoted text, link, Verdict: Inexact";
- overlapping claims are cut into pieces as on the desk, each piece linking
  to its innermost claim and listing all of its claims in ``data-claims``.

The element's text is the body itself: paragraphs are separated by the
body's own blank line (``"\n\n"``, a whitespace text node between two
``<p>`` that renders as nothing), so the ``textContent`` of
``#article-text`` equals the canonical body, character for character. The
Web Annotations (``annotations``) count their offsets and take their quote
context in that text, which is what an annotation client reads in the page.

Claims are numbered 1..n in text order for this page only: ``data-claims``
holds those numbers, never a database id, so nothing counts or identifies
claims readers cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from ..rendering import Highlight, render_article
from ..text import paragraph_spans
from .factchecks import FactCheck

# What the Web Annotations' selectors scope to (``annotations``).
ARTICLE_TEXT_SELECTOR = "#article-text"
PARAGRAPH_SEPARATOR = "\n\n"


def text_content(body: str) -> str:
    """The ``textContent`` of the rendered article: ``body`` itself when it is canonical."""
    return PARAGRAPH_SEPARATOR.join(body[start:end] for start, end in paragraph_spans(body))


def render_public_article(
    body: str, numbered: Sequence[tuple[int, FactCheck]], *, css_class_of
) -> SafeString:
    """`numbered` is [(n, fact_check)] in text order, anchored ones only.

    `css_class_of(fact_check)` is the verdict's CSS class (its colour).
    """
    by_number = dict(numbered)
    highlights = [Highlight(n, fc.start, fc.end) for n, fc in numbered]
    seen: set[int] = set()

    def link(covering: Sequence[Highlight]) -> dict[str, str]:
        n = covering[0].claim_id  # innermost
        fc = by_number[n]
        attrs = {
            "href": fc.path,
            "class": f"hl-link {css_class_of(fc)}",
            "aria-describedby": f"fc-verdict-{n}",
        }
        if n in seen:
            attrs["tabindex"] = "-1"
        else:
            attrs["id"] = fc.anchor_id
            seen.add(n)
        return attrs

    html = render_article(body, [], highlights, focusable_sentences=False, mark_link=link)
    # Every piece of text in `html` is escaped, so "</p><p" only occurs between paragraphs.
    return mark_safe(f"</p>{PARAGRAPH_SEPARATOR}<p".join(html.split("</p><p")))  # noqa: S308
