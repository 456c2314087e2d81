"""The Web Annotation export resolves, in Chromium, on the article page it targets.

For every annotation of the export the page fetches (real HTTP from the live
server), each selector is applied as an annotation client would: the
CssSelector's element, then its refinement over that element's textContent,
counting in code points as the W3C model does (JavaScript strings count UTF-16
code units, so the test counts with Array.from). The quote must be exactly the
annotation's, its prefix and suffix must surround it, and a DOM Range built on
those offsets must read the quote too.
"""

import pytest

from claims import services
from tests.test_public_support import people, published_claim

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_public_pages"),
]

NBSP = "\u00a0"
# Astral characters (a fox, a mathematical letter, a ZWJ family), no-break
# spaces as French typography puts them, single line breaks inside a
# paragraph, and four paragraphs.
BODY = (
    f"Le 🦊 renard 𝒳 a déclaré{NBSP}: «{NBSP}la Terre est plate{NBSP}».\n"
    "Une seconde ligne du même paragraphe.\n\n"
    "La famille 👩‍👩‍👧 compte trois membres selon le ministre.\n\n"
    f"Le chômage a baissé de 2{NBSP}% en un an, affirme le porte-parole 🇫🇷.\n\n"
    "Dernier paragraphe, sans rien de vérifié."
)
QUOTES = [
    "la Terre est plate",
    "La famille 👩‍👩‍👧 compte trois membres",  # starts a paragraph: "\n\n" in its prefix
    f"Le chômage a baissé de 2{NBSP}% en un an",
    "le porte-parole 🇫🇷",
    "Une seconde ligne",  # after a single line break
]

RESOLVE = """
async (url) => {
  const data = await (await fetch(url)).json();
  const points = (s) => Array.from(s).length;
  // The DOM position of the code point at `index` of root's textContent.
  function position(root, index) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const chars = Array.from(node.data);
      if (index <= seen + chars.length) {
        return [node, chars.slice(0, index - seen).join("").length];
      }
      seen += chars.length;
    }
    return null;
  }
  const results = [];
  for (const item of data.first.items) {
    const quote = item.target.selector.find((s) => s.refinedBy.type === "TextQuoteSelector");
    for (const selector of item.target.selector) {
      const matches = document.querySelectorAll(selector.value);
      const root = matches[0];
      const text = Array.from(root.textContent);
      const refined = selector.refinedBy;
      let start, end, occurrences = 0;
      if (refined.type === "TextPositionSelector") {
        start = refined.start;
        end = refined.end;
      } else {
        // Every place where prefix + exact + suffix occurs: the quote must be unique.
        const whole = refined.prefix + refined.exact + refined.suffix;
        const content = root.textContent;
        let at = content.indexOf(whole);
        const first = at;
        while (at !== -1) {
          occurrences += 1;
          at = content.indexOf(whole, at + 1);
        }
        start = first === -1 ? -1 : points(content.slice(0, first)) + points(refined.prefix);
        end = start + points(refined.exact);
      }
      const exact = text.slice(start, end).join("");
      const from = position(root, start);
      const to = position(root, end);
      const range = document.createRange();
      range.setStart(from[0], from[1]);
      range.setEnd(to[0], to[1]);
      results.push({
        id: item.id,
        type: refined.type,
        elements: matches.length,
        occurrences,
        start,
        exact,
        range: range.toString(),
        expected: quote.refinedBy.exact,
        prefix: text.slice(Math.max(0, start - points(quote.refinedBy.prefix)), start).join(""),
        expectedPrefix: quote.refinedBy.prefix,
        suffix: text.slice(end, end + points(quote.refinedBy.suffix)).join(""),
        expectedSuffix: quote.refinedBy.suffix,
      });
    }
  }
  return {total: data.total, results};
}
"""


def check_all_resolve(page, url, expected_total):
    resolved = page.evaluate(RESOLVE, url)
    assert resolved["total"] == expected_total
    assert len(resolved["results"]) == 2 * expected_total  # a quote and a position each
    for result in resolved["results"]:
        assert result["elements"] == 1, result
        assert result["exact"] == result["expected"], result
        assert result["range"] == result["expected"], result
        assert result["prefix"] == result["expectedPrefix"], result
        assert result["suffix"] == result["expectedSuffix"], result
        if result["type"] == "TextQuoteSelector":
            assert result["occurrences"] == 1, result
    return resolved["results"]


def test_every_annotation_resolves_to_its_quote_on_the_article_page(page_factory):
    article = services.create_article(people()[0], title="Emoji", language="fr", body=BODY)
    assert article.body == BODY  # already canonical: nothing moved the offsets
    for n, quote in enumerate(QUOTES):
        start = BODY.index(quote)
        published_claim(article, (start, start + len(quote)), text=f"Affirmation {n}")
    page = page_factory()
    page.goto(f"/articles/{article.slug}/")
    url = f"/articles/{article.slug}/annotations.jsonld"
    results = check_all_resolve(page, url, len(QUOTES))
    # The element the selectors scope to reads exactly the article's text.
    assert page.evaluate("document.getElementById('article-text').textContent") == BODY
    assert sorted({r["expected"] for r in results}) == sorted(QUOTES)
    # Code points, not UTF-16 units: the fox and the 𝒳 count one each.
    first = next(r for r in results if r["expected"] == QUOTES[0])
    assert first["start"] == BODY.index(QUOTES[0])
    assert any("\n\n" in r["expectedPrefix"] for r in results)

    # A reader opens and closes a verdict: the text reads the same afterwards.
    page.locator("#article-text a.hl-link").first.click()
    page.locator("#hl-panel").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator("#hl-panel").wait_for(state="hidden")
    assert page.evaluate("document.getElementById('article-text').textContent") == BODY
    check_all_resolve(page, url, len(QUOTES))
