"""Addresses the public pages link to: absolute URLs and text fragments."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

# A text fragment names a long quote by its first and last words: shorter
# links, and still one match in practice.
_FRAGMENT_WORDS = 5


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


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
