"""Measure the desk and the public site at a newsroom's volume (a benchmark, not a test).

Run it on a database filled by ``fill_scale``. For every page of ``PAGES`` it
prints the server time (Django's test client in this process, through the
whole middleware stack, after a warm-up: median and 95th percentile of
``--runs`` requests) and the number of SQL queries, on the full database and
on a small one side by side, with the target: 50 ms for desk pages, 100 ms
for searches, and the same query count at both sizes. It also times the
publication stamp read (``claims/public/freshness.py``) on an empty and on the
full database: it must not grow by more than 2×.

The small database is the same one, emptied and filled with ``fill_scale``'s
tiny numbers (20 articles, 1,000 claims, the 300-claim article included)
inside a transaction that is rolled back, like everything this command does,
so the full database is left as it was.

Pages other branches add are in the table already: a page whose URL name does
not exist (yet) is reported as "not available yet", not an error.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from claims.models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimStatus,
    ClaimVersion,
    ReviewEvent,
    Source,
)
from claims.public import freshness, page_cache

from .fill_scale import EDITORS, REVIEWERS, Filler

DESK_MS, SEARCH_MS = 50.0, 100.0
STAMP_GROWTH = 2.0
SMALL = {"articles": 20, "claims": 1_000, "events": 3_000, "big": 300}


class _Rollback(Exception):
    pass


@dataclass
class Fixture:
    """What the pages are about, found in the database being measured."""

    editor: object
    reviewer: object
    big_article: Article
    open_claim: Claim
    in_review: Claim | None
    fact_check_slug: str | None

    @classmethod
    def find(cls) -> Fixture:
        User = get_user_model()
        big = Article.objects.annotate(n=Count("claims")).order_by("-n", "pk").first()
        current = Claim.objects.filter(
            current_version__isnull=False, status=ClaimStatus.PUBLISHED
        ).exclude(slug=None)
        return cls(
            editor=User.objects.get(username=EDITORS[0]),
            reviewer=User.objects.get(username=REVIEWERS[0]),
            big_article=big,
            # A published claim: its panel shows the most (history, published version).
            open_claim=Claim.objects.filter(article=big, status=ClaimStatus.PUBLISHED)
            .order_by("start", "pk")
            .first(),
            in_review=Claim.objects.filter(status=ClaimStatus.IN_REVIEW).order_by("pk").first(),
            fact_check_slug=current.order_by("-pk").values_list("slug", flat=True).first(),
        )


@dataclass(frozen=True)
class Page:
    """One row of the benchmark: `url(fixture)` gives the address, or raises NoReverseMatch."""

    name: str
    who: str  # "editor", "reviewer" or "reader"
    url: Callable[[Fixture], str]
    target_ms: float | None  # None: measured, no target (public pages, see the README)
    stored: bool = False  # a public page served from this process's stored pages
    htmx: bool = False  # asked for by htmx (a fragment)


def named(name: str, *args: str, query: str = "") -> Callable[[Fixture], str]:
    """The address of URL `name`, its arguments read from the fixture by attribute path."""

    def url(fixture: Fixture) -> str:
        values = []
        for path in args:
            value = fixture
            for attr in path.split("."):
                value = getattr(value, attr)
                if value is None:
                    raise LookupError(f"no {path.split('.')[0]} in this database")
            values.append(value)
        return reverse(name, args=values) + query

    return url


def _deep_page(fixture: Fixture) -> str:
    """Page 3 of the articles, or the last one on a database too small for three."""
    from claims import desk_lists
    from claims.models import Article

    pages = max(1, -(-Article.objects.count() // desk_lists.PER_PAGE))
    return reverse("desk:index") + f"?page={min(3, pages)}"


def _assignee_query(fixture: Fixture) -> str:
    return reverse("desk:index") + f"?assignee={fixture.editor.pk}"


# The pages measured. Pages of other branches (search, notifications, the
# desk's filters and claim list) are listed by the names those branches give
# them; until they are merged they show as "not available yet".
PAGES = [
    Page("/desk/", "editor", named("desk:index"), DESK_MS),
    # A reviewer's "My work" has other sections (reviews held, what they approved).
    Page("/desk/ (reviewer)", "reviewer", named("desk:index"), DESK_MS),
    Page(
        "/desk/ status=in_review", "editor", named("desk:index", query="?status=in_review"), DESK_MS
    ),
    Page("/desk/ language=en", "editor", named("desk:index", query="?language=en"), DESK_MS),
    Page("/desk/ outlet", "editor", named("desk:index", query="?outlet=The+Courier"), DESK_MS),
    Page("/desk/ assignee", "editor", _assignee_query, DESK_MS),
    Page("/desk/ due=overdue", "editor", named("desk:index", query="?due=overdue"), DESK_MS),
    Page("/desk/ attention", "editor", named("desk:index", query="?attention=on"), DESK_MS),
    Page("/desk/ page 3", "editor", _deep_page, DESK_MS),
    Page("desk claim list", "editor", named("desk:claims"), DESK_MS),
    Page(
        "desk claim list due=overdue", "editor", named("desk:claims", query="?due=overdue"), DESK_MS
    ),
    Page("review queue", "reviewer", named("desk:review_queue"), DESK_MS),
    Page(
        "review queue due=overdue",
        "reviewer",
        named("desk:review_queue", query="?due=overdue"),
        DESK_MS,
    ),
    Page("review screen", "reviewer", named("desk:review", "in_review.pk"), DESK_MS),
    Page(
        "annotating screen (300 claims)", "editor", named("desk:article", "big_article.pk"), DESK_MS
    ),
    Page(
        "annotating screen, claim open",
        "editor",
        lambda f: (
            named("desk:article", "big_article.pk")(f)
            + "?claim="
            + str(named("desk:claim", "open_claim.pk")(f).rstrip("/").rsplit("/", 1)[1])
        ),
        DESK_MS,
    ),
    Page("claim panel (htmx)", "editor", named("desk:claim", "open_claim.pk"), DESK_MS, htmx=True),
    Page("desk search", "editor", named("desk:search", query="?q=chomage"), SEARCH_MS),
    # The bell's unread count, which every desk page polls (htmx).
    Page("notification count", "editor", named("desk:notification_bell"), DESK_MS, htmx=True),
    Page("notifications page", "editor", named("desk:notifications"), DESK_MS),
    # A word fill_scale's fact-checks contain (thousands of matches, ranked).
    Page("public search", "reader", named("public:search", query="?q=chomage"), SEARCH_MS),
    Page("public home", "reader", named("public:home"), None),
    Page("public home, page 2", "reader", named("public:home", query="?page=2"), None),
    Page("fact-check page", "reader", named("public:fact_check", "fact_check_slug"), None),
    Page(
        "public article (300 claims)", "reader", named("public:article", "big_article.slug"), None
    ),
    Page("public home, stored", "reader", named("public:home"), None, stored=True),
    Page(
        "fact-check page, stored",
        "reader",
        named("public:fact_check", "fact_check_slug"),
        None,
        stored=True,
    ),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Bench:
    def __init__(self, runs: int):
        self.runs = runs

    def clients(self, fixture: Fixture) -> dict[str, Client]:
        clients = {"reader": Client()}
        for who in ("editor", "reviewer"):
            clients[who] = Client()
            clients[who].force_login(getattr(fixture, who))
        return clients

    def measure_pages(self, pages: list[Page]) -> dict[str, dict]:
        fixture = Fixture.find()
        clients = self.clients(fixture)
        results = {}
        for page in pages:
            try:
                url = page.url(fixture)
            except NoReverseMatch:
                results[page.name] = {"missing": "not available yet"}
                continue
            except LookupError as error:
                results[page.name] = {"missing": str(error)}
                continue
            headers = {"HX-Request": "true"} if page.htmx else {}
            results[page.name] = self.measure(
                clients[page.who], url, stored=page.stored, headers=headers
            )
        return results

    def measure(self, client: Client, url: str, *, stored: bool, headers: dict) -> dict:
        def get():
            if not stored:
                page_cache.pages.clear()  # a public page rendered, as after any approval
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            return (
                response,
                (time.perf_counter() - started) * 1000,
                (time.process_time() - cpu) * 1000,
            )

        for _ in range(3):  # warm-up: templates, translations, the segmenter, plans
            response, _ms, _cpu = get()
        if response.status_code != 200:
            return {"missing": f"answered {response.status_code}"}
        runs = [get() for _ in range(self.runs)]
        times = [ms for _r, ms, _cpu in runs]
        counts = []
        for _ in range(2):  # the fewer of two: a desk request saves its session once a minute
            if not stored:
                page_cache.pages.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url, headers=headers)
            counts.append(len(queries))
        return {
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            # This process's CPU: what a busy machine inflates least (the database's is not in it).
            "cpu": statistics.median(cpu for _r, _ms, cpu in runs),
            "queries": min(counts),
            "kb": len(response.content) / 1024,
        }

    def stamp_empty_and_full(self, *, empty: bool, rounds: int = 5) -> dict:
        """The stamp read on the full and the emptied database, in alternate rounds,
        so that a machine that gets busier or quieter meanwhile favours neither."""
        times = {"full": [], "empty": []}
        for _ in range(rounds):
            times["full"] += self.measure_stamp()
            if empty:
                with transaction.atomic():  # a savepoint: the tables come back
                    empty_desk()
                    times["empty"] += self.measure_stamp()
                    transaction.set_rollback(True)
        return {
            size: {"median": statistics.median(t), "p95": percentile(t, 0.95)}
            for size, t in times.items()
            if t
        }

    def measure_stamp(self, reads: int = 200) -> list[float]:
        """The full stamp read: what a request pays on PostgreSQL once anything has
        committed since the last one (the watcher's path, without its snapshot), and
        on SQLite every time."""
        sql = freshness._stamp_sql(connection.ops.quote_name, with_snapshot=False)
        times = []
        with connection.cursor() as cursor:
            for _ in range(reads + 10):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1_000_000)
        return times[10:]  # after a warm-up


def empty_desk() -> None:
    """Remove every article, claim and their history (inside the caller's transaction)."""
    if connection.vendor == "postgresql":
        tables = [
            m._meta.db_table
            for m in (Article, ArticleRevision, Claim, ClaimVersion, ReviewEvent, Source)
        ]
        with connection.cursor() as cursor:
            # Checks still deferred in this transaction (a test's fill) forbid TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Transactional on PostgreSQL: the rollback brings everything back.
            cursor.execute(
                "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    Claim.objects.update(current_version=None)
    ReviewEvent.objects.all().delete()
    ClaimVersion.objects.all()._raw_delete(ClaimVersion.objects.db)
    Claim.objects.all().delete()
    Article.objects.all().delete()


def overdue_review() -> None:
    """Make the first claim in review overdue, if none is: the small database's
    handful of claims in review may all be on time, and then "review queue
    due=overdue" lists nothing there and skips the queries that load a page,
    which would compare an empty page with a full one instead of two sizes."""
    from claims import desk_lists

    on = desk_lists.today()
    in_review = Claim.objects.filter(status=ClaimStatus.IN_REVIEW)
    if in_review.filter(desk_lists.due_q(desk_lists.OVERDUE, on)).exists():
        return
    first = in_review.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        Claim.objects.filter(pk=first).update(due_on=on - dt.timedelta(days=1))


class Command(BaseCommand):
    help = "Server time and query counts of the desk and public pages at scale (after fill_scale)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
        parser.add_argument(
            "--only", default="", help="measure only pages whose name contains this"
        )
        parser.add_argument("--no-small", action="store_true", help="skip the small database")
        parser.add_argument(
            "--small",
            default=",".join(str(v) for v in SMALL.values()),
            help="the small database: articles,claims,events,claims on the big article",
        )
        parser.add_argument(
            "--force", action="store_true", help="run on a database fill_scale did not fill"
        )

    def handle(self, *args, runs, only, no_small, small, force, **options):
        try:
            sizes = dict(zip(SMALL, (int(v) for v in small.split(",")), strict=True))
        except ValueError:
            raise CommandError("--small takes four numbers: articles,claims,events,big") from None
        if not get_user_model().objects.filter(username=EDITORS[0]).exists() and not force:
            raise CommandError(
                "This database was not filled by fill_scale (no scale-editor-1). The benchmark "
                "rolls everything back, but empties the tables meanwhile; --force runs anyway."
            )
        if not Claim.objects.exists():
            raise CommandError("There are no claims to measure: run fill_scale first.")
        pages = [p for p in PAGES if only.lower() in p.name.lower()]
        bench = Bench(runs)
        started = time.perf_counter()
        counts = {
            "articles": Article.objects.count(),
            "claims": Claim.objects.count(),
            "events": ReviewEvent.objects.count(),
        }
        settings = override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, DEBUG=False)
        full = smaller = {}
        stamp = {}
        try:
            with settings, transaction.atomic():
                stamp = bench.stamp_empty_and_full(empty=not no_small)
                full = bench.measure_pages(pages)
                if not no_small:
                    empty_desk()
                    Filler(**sizes, seed=2, out=_Silent()).fill()
                    overdue_review()
                    smaller = bench.measure_pages(pages)
                raise _Rollback
        except _Rollback:
            pass
        finally:
            page_cache.pages.clear()
        self.report(counts, sizes, pages, full, smaller, stamp, time.perf_counter() - started)

    def report(self, counts, sizes, pages, full, small, stamp, seconds):
        out = self.stdout.write
        out(
            f"Full database: {counts['articles']:,} articles, {counts['claims']:,} claims, "
            f"{counts['events']:,} events ({connection.vendor}). Small: "
            f"{sizes['articles']} articles, {sizes['claims']:,} claims."
        )
        out(
            f"{'page':<34} {'queries':>13} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} "
            f"{'small ms':>9} {'target':>7}  verdict"
        )
        failures = 0
        for page in pages:
            big, little = full.get(page.name, {}), small.get(page.name, {})
            if "missing" in big:
                out(f"{page.name:<34} {big['missing']}")
                continue
            queries = f"{little.get('queries', '–')} / {big['queries']}"
            problems = []
            if little and little.get("queries") != big["queries"]:
                problems.append("query count grows")
            if page.target_ms is not None and big["median"] > page.target_ms:
                problems.append("too slow")
            failures += bool(problems)
            target = f"{page.target_ms:.0f} ms" if page.target_ms else "–"
            small_ms = f"{little['median']:.1f}" if "median" in little else "–"
            out(
                f"{page.name:<34} {queries:>13} {big['median']:>10.1f} {big['p95']:>8.1f} "
                f"{big['cpu']:>7.1f} {small_ms:>9} {target:>7}  {', '.join(problems) or 'ok'}"
            )
        out("(queries: small / full database; times on the full database, cpu: this process's")
        out(" CPU time, median; page cache cleared before each request of a public page unless")
        out(" it says stored)")
        if "empty" in stamp:
            growth = stamp["full"]["median"] / stamp["empty"]["median"]
            verdict = "ok" if growth <= STAMP_GROWTH else "grows"
            failures += verdict != "ok"
            out(
                f"Publication stamp read: empty {stamp['empty']['median']:.0f} µs "
                f"(p95 {stamp['empty']['p95']:.0f}), full {stamp['full']['median']:.0f} µs "
                f"(p95 {stamp['full']['p95']:.0f}): {growth:.2f}× "
                f"(target ≤ {STAMP_GROWTH:.0f}×) {verdict}"
            )
        else:
            out(f"Publication stamp read: full {stamp['full']['median']:.0f} µs")
        out(f"{failures} row(s) off target; {seconds:.0f} s.")


class _Silent:
    def write(self, *args, **kwargs):
        pass
