"""Addresses the public pages link to: absolute URLs and text fragments."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

# A text fragment names a long quote by its first and last words: shorter
# links, and still one match in practice.
_FRAGMENT_WORDS = 5


def absolute(path: str) -> str:
    """`path` (as ``reverse()`` gives it, script prefix included) on the site's one origin.

    The one function for every absolute address the site gives out: canonical
    links, ``og:url``, ClaimReview, the Atom feed, Web Annotations, emailed
    links. It reads the configured origin (``SITE_URL``), never the request:
    a Host or forwarded header must not change an identifier (three hosts
    would give three Atom ids for one entry), nor what a stored page says to
    the next reader. The script prefix is SITE_URL's path too
    (``FORCE_SCRIPT_NAME``, in settings), so `path` already carries it.
    """
    origin = urlsplit(settings.SITE_URL)
    return f"{origin.scheme}://{origin.netloc}{path}" if origin.netloc else path


def text_fragment_url(url: str, quote_text: str) -> str:
    """`url` with a ``#:~:text=`` fragment that scrolls to and highlights `quote_text`.

    Browsers that support text fragments (Chromium, Safari, Firefox 131+)
    jump to the quote in the original article; others open the article.
    https://wicg.github.io/scroll-to-text-fragment/ : commas, dashes and
    ampersands are syntax there, so every term is percent-encoded whole.
    """
    words = quote_text.split()
    if not words:
        return url
    if len(words) > 2 * _FRAGMENT_WORDS:
        start = " ".join(words[:_FRAGMENT_WORDS])
        end = " ".join(words[-_FRAGMENT_WORDS:])
        directive = f"{_term(start)},{_term(end)}"
    else:
        directive = _term(" ".join(words))
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=f":~:text={directive}"))


def _term(text: str) -> str:
    return quote(text, safe="").replace("-", "%2D")
