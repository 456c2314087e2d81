"""Accessibility audits with axe-core in real Chromium, in both interface languages.

axe-core comes from the axe-playwright-python package (it ships axe.min.js);
it is evaluated through the DevTools protocol, which the page's CSP does not
govern, so the pages are audited exactly as served.
"""

import json
from pathlib import Path

import axe_playwright_python
import pytest

from claims.demo.loader import load_demo
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def audit(page, label):
    """Every violation, of any impact, fails the test with a readable summary."""
    page.evaluate(AXE_SOURCE)
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    results = page.evaluate(f"axe.run(document, {options})")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in results["violations"]
    ]
    assert not problems, f"{label}: " + "\n".join(problems)


def revised_article(demo):
    """An article after a revision: a highlight to check, an orphan, a history to compare."""
    from claims import revisions, services
    from claims.anchoring import make_anchor

    editor = demo["users"]["editor"]
    paras = [
        "Le chômage a baissé de 2,5 % en 2019, selon l’Insee.",
        "La ministre a présenté mercredi son plan pour l’emploi des jeunes.",
        "Les syndicats jugent le plan insuffisant.",
    ]
    body = "\n\n".join(paras)
    article = services.create_article(
        editor, title="Révisé", language="fr", body=body, url="https://example.org/a"
    )
    claims = [
        services.create_claim(
            article, editor, make_anchor(body, body.index(t), body.index(t) + len(t))
        )
        for t in ("baissé de 2,5 % en 2019", paras[1])
    ]
    revised = "\n\n".join([paras[0].replace("2,5 % en 2019", "1,5 % en 2018"), paras[2]])
    revisions.revise_article(article.pk, revised, user=editor, reason="edited", note="Chiffres")
    return article, claims


def desk_pages(demo):
    article = demo["article"]
    draft, in_review = demo["claims"][2], demo["claims"][1]
    revised, (to_check, _orphan) = revised_article(demo)
    base = f"/desk/articles/{revised.pk}/"
    return [
        ("annotating screen, revised", base),
        ("annotating screen, claim to check", f"{base}?claim={to_check.pk}"),
        ("edit text", f"{base}edit/"),
        ("history of the text", f"{base}history/"),
        ("desk", "/desk/"),
        ("load article", "/desk/articles/new/"),
        ("annotating screen", f"/desk/articles/{article.pk}/"),
        ("annotating screen, claim open", f"/desk/articles/{article.pk}/?claim={draft.pk}"),
        ("review queue", "/desk/review/"),
        ("review screen", f"/desk/review/{in_review.pk}/"),
    ]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_desk_pages_have_no_axe_violations(page_factory, locale):
    demo = load_demo()
    page = page_factory(locale=locale)
    page.goto("/accounts/login/")
    audit(page, f"login [{locale}]")
    log_in(page, "reviewer2")
    for label, path in desk_pages(demo):
        page.goto(path)
        audit(page, f"{label} [{locale}]")


def assert_no_sideways_scroll(page, label):
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{label}: page is {widths[0]}px wide in {widths[1]}px"


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_desk_pages_fit_a_phone(page_factory, locale):
    demo = load_demo()
    page = page_factory(width=390, height=844, locale=locale)
    page.goto("/accounts/login/")
    assert_no_sideways_scroll(page, "login")
    log_in(page, "reviewer2")
    for label, path in desk_pages(demo):
        page.goto(path)
        assert_no_sideways_scroll(page, f"{label} [{locale}]")
        audit(page, f"{label} at 390 px [{locale}]")


def press_tab_until(page, predicate_js, limit=120):
    for _ in range(limit):
        if page.evaluate(predicate_js):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached: {predicate_js}")


def test_reviewer_journey_with_the_keyboard_only(page_factory):
    demo = load_demo()
    in_review = demo["claims"][1]
    page = page_factory()
    page.goto("/accounts/login/")
    press_tab_until(page, "() => document.activeElement.name === 'username'")
    page.keyboard.type("reviewer2")
    page.keyboard.press("Tab")
    page.keyboard.type("factcheck")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/")
    # Focus is visible wherever it lands: an outline is drawn.
    press_tab_until(
        page,
        "() => document.activeElement.matches('a.button') "
        "&& document.activeElement.textContent.includes('Review queue')",
    )
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/review/")
    press_tab_until(
        page,
        f"() => document.activeElement.getAttribute('href') === '/desk/review/{in_review.pk}/'",
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/review/{in_review.pk}/")
    press_tab_until(
        page, "() => document.activeElement.textContent.trim() === 'Approve and publish'"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/review/")
    page.get_by_text("Approved and published.").wait_for()
    in_review.refresh_from_db()
    assert in_review.status == "published"


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_public_pages_have_no_axe_violations_and_fit_a_phone(page_factory, locale):
    """Every public page, in the browser's language, at desktop and phone widths."""
    from claims.models import ClaimStatus
    from claims.public import freshness
    from claims.public.page_cache import pages

    pages.clear()
    try:
        demo = load_demo()
        article = demo["article"]
        published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
        public_pages = [
            ("home", "/"),
            ("article", f"/articles/{article.slug}/"),
            ("fact-check", f"/fact-checks/{published.slug}/"),
            ("methodology", "/methodology/"),
            ("corrections", "/corrections/"),
            ("not found", "/fact-checks/no-such-fact-check/"),
        ]
        lang = locale.split("-")[0]
        for width, height in ((1280, 900), (390, 844)):
            page = page_factory(width=width, height=height, locale=locale)
            for label, path in public_pages:
                page.goto(path)
                where = f"public {label} at {width} px [{locale}]"
                assert page.evaluate("document.documentElement.lang") == lang, where
                assert_no_sideways_scroll(page, where)
                audit(page, where)
            # The article with a highlight's panel open.
            page.goto(f"/articles/{article.slug}/")
            page.locator("#article-text mark").first.click()
            page.locator("#hl-panel").wait_for(state="visible")
            where = f"public article, panel open, at {width} px [{locale}]"
            assert_no_sideways_scroll(page, where)
            audit(page, where)
    finally:
        pages.clear()
        freshness.close()  # the live server's stamp connection, before the test database goes
