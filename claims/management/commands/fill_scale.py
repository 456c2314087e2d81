"""Fill the database with a newsroom's volume, for benchmark_scale (a fixture, not a write path).

This is a benchmark fixture, not an application write path: it inserts rows in
bulk instead of going through claims/services.py and claims/workflow.py,
because replaying 300,000 audited steps through them would take hours. It
writes the audit events it fakes: every claim's history (created, edited,
submitted, taken, sent back, approved, update started, withdrawn) is a
ReviewEvent with its actor, time, statuses, changes and snapshot, so nothing
it makes is unrecorded, and the published versions, slugs, public positions
and current versions are what the workflow would have left.

By default: 2,000 articles in French and English (one of 50,000 characters
with 300 claims, for the annotating screen), 100,000 claims with three sources
each, and 300,000 events, by six editors and four reviewers. Most claims are
published (some with a corrected second version, a few withdrawn); the rest
are drafts, updates in progress, in review (some taken) and sent back, with
assignees and due dates, some overdue. It refuses a database that already
holds articles unless given --force.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from claims.anchoring import make_anchor
from claims.audit import claim_state
from claims.management.commands.benchmark_reanchor import Generator
from claims.models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimantKind,
    ClaimStatus,
    ClaimVersion,
    CorrectionKind,
    EventKind,
    Rating,
    ReviewEvent,
    RevisionReason,
    Source,
    Stance,
    cut_slug,
)
from claims.revisions import body_sha256
from claims.segments import sentence_spans

EDITORS = [f"scale-editor-{n}" for n in range(1, 7)]
REVIEWERS = [f"scale-reviewer-{n}" for n in range(1, 5)]
BIG_ARTICLE_CHARS = 50_000
BATCH = 2_000

# What a desk's claims look like after two years: (state, share).
STATES = [
    ("published", 0.83),
    ("corrected", 0.01),  # published, then a second version with a correction note
    ("withdrawn", 0.01),
    ("updating", 0.02),  # published, an update in draft
    ("draft", 0.10),
    ("in_review", 0.005),
    ("taken", 0.005),  # in review, taken by a reviewer
    ("changes_requested", 0.02),
]
PUBLISHERS = [
    "Insee",
    "Eurostat",
    "Reuters",
    "AFP",
    "Le Monde",
    "BBC News",
    "OECD",
    "Banque de France",
]
RULINGS = {
    "fr": (
        "Les chiffres publiés par {pub} ne confirment pas cette affirmation. Les données "
        "officielles montrent une évolution différente sur la période, et l'auteur de la "
        "déclaration n'a pas répondu à nos questions. Nous avons consulté trois sources."
    ),
    "en": (
        "Figures published by {pub} do not bear this out. The official data show a different "
        "trend over the period, and the person quoted did not answer our questions. We "
        "consulted three sources, listed below."
    ),
}
TITLES = {
    "fr": ["Économie : {s}", "Ce qu'il faut retenir : {s}", "{s}", "Analyse — {s}"],
    "en": ["Economy: {s}", "What we know: {s}", "{s}", "Analysis — {s}"],
}


@contextlib.contextmanager
def dates_as_given():
    """Let bulk inserts keep the past dates given to auto_now(_add) fields.

    Django overwrites those fields on every insert; a desk's history needs
    them spread over two years. Restored on exit, whatever happens.
    """
    fields = [
        f
        for model in (Article, Claim, ReviewEvent)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Filler:
    def __init__(self, *, articles: int, claims: int, events: int, big: int, seed: int, out):
        self.n_articles, self.n_claims, self.n_events, self.n_big = articles, claims, events, big
        self.rng = random.Random(seed)
        self.out = out
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.made = dict.fromkeys(
            ["articles", "revisions", "claims", "sources", "versions", "events"], 0
        )
        self.by_status: dict[str, int] = {}
        self.overdue = 0
        self.numbers: dict[int, int] = {}
        # Fact-check slugs are numbered past the claims already there (--force).
        self.slug_base = Claim.objects.count()
        self.slugs = 0

    def fill(self) -> None:
        """Everything, in one transaction: a failure leaves nothing behind."""
        with transaction.atomic(), dates_as_given():
            self.people()
            self.fill_articles()
            self.fill_claims()

    # -- people and texts --------------------------------------------------

    def people(self):
        User = get_user_model()
        made = {}
        for names, group in ((EDITORS, "Editors"), (REVIEWERS, "Reviewers")):
            group = Group.objects.get(name=group)
            for name in names:
                user, created = User.objects.get_or_create(
                    username=name, defaults={"email": f"{name}@desk.example"}
                )
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                user.groups.add(group)
                made[name] = user
        self.editors = [made[n] for n in EDITORS]
        self.reviewers = [made[n] for n in REVIEWERS]

    def body(self, gen: Generator, chars: int) -> str:
        paragraphs, size = [], 0
        while size < chars:
            paragraph = " ".join(gen.sentence().text for _ in range(self.rng.randint(2, 6)))
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        return "\n\n".join(paragraphs)

    # -- articles ----------------------------------------------------------

    def fill_articles(self):
        gens = {lang: Generator(lang, self.rng) for lang in ("fr", "en")}
        self.names = {lang: gen.names for lang, gen in gens.items()}
        articles, revisions = [], []
        ages = sorted((self.rng.uniform(0, 730) for _ in range(self.n_articles)), reverse=True)
        ages[-1] = min(ages[-1], 2.0)  # the big article is this week's, its work in progress
        for i in range(self.n_articles):
            lang = "fr" if self.rng.random() < 0.6 else "en"
            big = i == self.n_articles - 1  # the newest: the one being annotated now
            chars = BIG_ARTICLE_CHARS if big else self.rng.randint(5_000, 12_000)
            body = self.body(gens[lang], chars)
            head = cut_slug(gens[lang].sentence().text.rstrip("."), 90).strip()
            title = self.rng.choice(TITLES[lang]).format(s=head)
            created = self.now - dt.timedelta(days=ages[i])
            recent = ages[i] < 30
            articles.append(
                Article(
                    title=title[:300],
                    slug=f"{cut_slug(slugify(title), 90) or 'article'}-s{i}",
                    outlet=self.rng.choice(["Le Quotidien", "La Gazette", "The Courier"]),
                    byline=self.rng.choice(gens[lang].names),
                    url=f"https://news.example/{lang}/{i}",
                    language=lang,
                    published_on=created.date(),
                    body=body,
                    sentences=sentence_spans(body, lang),
                    due_on=self.today + dt.timedelta(days=self.rng.randint(-3, 7))
                    if recent and self.rng.random() < 0.5
                    else None,
                    created_by=self.rng.choice(self.editors),
                    created_at=created,
                    updated_at=created,
                )
            )
        insert(Article, articles)
        for article in articles:
            revisions.append(
                ArticleRevision(
                    article=article,
                    number=1,
                    body=article.body,
                    sha256=body_sha256(article.body),
                    reason=RevisionReason.IMPORTED,
                    created_by=article.created_by,
                    created_at=article.created_at,
                )
            )
        insert(ArticleRevision, revisions)
        self.articles = articles
        self.revision_of = {r.article_id: r for r in revisions}
        self.made["articles"] = self.made["revisions"] = len(articles)
        self.out.write(f"  {len(articles):,} articles…")

    # -- claims ------------------------------------------------------------

    def claim_plan(self) -> list[tuple[Article, str]]:
        """(article, state) per claim: the big article gets its share, the rest at random."""
        big = self.articles[-1]
        others = self.articles[:-1] or [big]
        n_big = min(self.n_big, self.n_claims)
        plan = [big] * n_big + self.rng.choices(others, k=self.n_claims - n_big)
        states = [s for s, _ in STATES]
        weights = [w for _, w in STATES]
        result = []
        for article in plan:
            state = self.rng.choices(states, weights)[0]
            # Work in progress sits on recent articles; two-year-old ones are done.
            if state not in DONE_STATES and (self.now - article.created_at).days > 60:
                state = "published"
            result.append((article, state))
        return result

    def fill_claims(self):
        self.ratings = list(Rating.objects.all())
        plan = self.claim_plan()
        base = sum(_base_events(state) for _, state in plan)
        extra = max(self.n_events - base, 0)
        # Extra edits go to claims at random, so some have long histories.
        extras = [0] * len(plan)
        for i in self.rng.choices(range(len(plan)), k=extra) if plan else []:
            extras[i] += 1
        for start in range(0, len(plan), BATCH):
            self.fill_batch(plan[start : start + BATCH], extras[start : start + BATCH])
        # The current version is set once all versions exist (one statement).
        latest = ClaimVersion.objects.filter(claim=OuterRef("pk")).order_by("-number")
        Claim.objects.filter(article__in=self.articles, last_published_at__isnull=False).update(
            current_version=Subquery(latest.values("pk")[:1])
        )

    def fill_batch(self, plan, extras):
        rng = self.rng
        claims, specs = [], []
        for (article, state), extra in zip(plan, extras, strict=True):
            spec = self.claim_spec(article, state, extra)
            specs.append(spec)
            claims.append(spec["claim"])
        insert(Claim, claims)
        sources = []
        for spec in specs:
            claim = spec["claim"]
            spec["sources"] = [
                Source(
                    claim=claim,
                    order=n,
                    url=f"https://data.example/{claim.pk}/{n}",
                    title=f"{spec['publisher']} — {claim.statement[:60]} ({n + 1})",
                    publisher=rng.choice(PUBLISHERS) if n else spec["publisher"],
                    published_on=(claim.created_at - dt.timedelta(days=rng.randint(1, 400))).date(),
                    accessed_on=claim.created_at.date(),
                    excerpt="",
                    stance=[Stance.REFUTES, Stance.CONTEXT, Stance.SUPPORTS][n],
                )
                for n in range(3)
            ]
            sources += spec["sources"]
        insert(Source, sources)
        versions, events = [], []
        for spec in specs:
            versions += self.versions_of(spec)
            events += self.events_of(spec)
        insert(ClaimVersion, versions)
        insert(ReviewEvent, events)
        self.made["claims"] += len(claims)
        self.made["sources"] += len(sources)
        self.made["versions"] += len(versions)
        self.made["events"] += len(events)
        if self.made["claims"] % 20_000 < len(claims):
            self.out.write(f"  {self.made['claims']:,} claims…")

    def claim_spec(self, article: Article, state: str, extra: int) -> dict:
        """The claim as the workflow would have left it, and what its history needs."""
        rng = self.rng
        sentences = article.sentences
        start, end = sentences[rng.randrange(len(sentences))]
        text = article.body[start:end]
        comma = text.find(", ")
        if comma > 20 and rng.random() < 0.3:  # a part of the sentence
            end = start + comma
        anchor = make_anchor(article.body, start, end)
        lang = article.language
        editor = rng.choice(self.editors)
        reviewer = rng.choice(self.reviewers)
        in_flight = state not in DONE_STATES
        age = (self.now - article.created_at).total_seconds()
        created = article.created_at + dt.timedelta(seconds=rng.uniform(0, min(age, 86_400) * 0.5))
        statement = anchor.exact if len(anchor.exact) <= 200 else cut_slug(anchor.exact, 200)
        due = None
        if in_flight and rng.random() < 0.7:
            due = self.today + dt.timedelta(days=rng.randint(-5, 10))
            self.overdue += due < self.today
        # COPY bypasses Claim.objects.bulk_create, which would number the claims.
        self.numbers[article.pk] = number = self.numbers.get(article.pk, 0) + 1
        claim = Claim(
            article=article,
            number=number,
            statement=statement,
            claimant=rng.choice(self.names[lang]),
            claimant_kind=rng.choice([ClaimantKind.PERSON, ClaimantKind.ORGANISATION, ""]),
            claim_date=article.published_on,
            rating=rng.choice(self.ratings),
            ruling=RULINGS[lang].format(pub=rng.choice(PUBLISHERS)),
            status=STATUS_OF[state],
            assignee=editor if in_flight or rng.random() < 0.5 else None,
            due_on=due,
            created_by=editor,
            updated_by=editor,
            created_at=created,
        )
        claim.set_anchor(anchor)
        spec = {
            "claim": claim,
            "state": state,
            "editor": editor,
            "reviewer": reviewer,
            "extra": extra,
            "publisher": rng.choice(PUBLISHERS),
            "version_count": 0,
        }
        if state in {"published", "corrected", "withdrawn", "updating"}:
            spec["version_count"] = 2 if state == "corrected" else 1
        spec["times"] = times = self.timeline(spec)
        # What submit(), start_review(), approve() and withdraw() leave on the claim;
        # current_version is set once the versions exist.
        claim.updated_at = times[-1][1]
        claim.version = len(times)
        approvals = [t for kind, t in times if kind == EventKind.APPROVED]
        if approvals:
            self.slugs += 1
            claim.last_published_at, claim.first_published_at = approvals[-1], approvals[0]
            base = cut_slug(slugify(statement), 70) or "fact-check"
            claim.slug = f"{base}-{self.slug_base + self.slugs}"
            claim.public_start, claim.public_end = claim.start, claim.end
        if state == "withdrawn":
            claim.withdrawn_at = times[-1][1]
            claim.withdrawn_by = reviewer
            claim.withdrawn_reason = "The claim was attributed to the wrong person."
        if state in {"in_review", "taken", "changes_requested"}:
            claim.submitted_at = [t for k, t in times if k == EventKind.SUBMITTED][-1]
            claim.submitted_by = editor
            if any(k == EventKind.REVIEW_TAKEN for k, _ in times):
                claim.reviewing_by = reviewer
        self.by_status[claim.status] = self.by_status.get(claim.status, 0) + 1
        return spec

    def timeline(self, spec) -> list[tuple[str, dt.datetime]]:
        """(kind, time) of each event of the claim, oldest first."""
        state, extra = spec["state"], spec["extra"]
        kinds = [EventKind.CREATED] + [EventKind.EDITED] * extra
        if state != "draft":
            kinds.append(EventKind.SUBMITTED)
        if state == "taken":
            kinds.append(EventKind.REVIEW_TAKEN)
        if state == "changes_requested":
            kinds.append(EventKind.CHANGES_REQUESTED)
        if spec["version_count"]:
            kinds.append(EventKind.APPROVED)
        if spec["version_count"] == 2:
            kinds += [EventKind.UPDATE_STARTED, EventKind.EDITED, EventKind.SUBMITTED]
            kinds.append(EventKind.APPROVED)
        if state == "updating":
            kinds.append(EventKind.UPDATE_STARTED)
        if state == "withdrawn":
            kinds.append(EventKind.WITHDRAWN)
        created = spec["claim"].created_at
        end = min(self.now, created + dt.timedelta(days=self.rng.uniform(0.1, 20)))
        step = (end - created) / len(kinds)
        return [(kind, created + step * i) for i, kind in enumerate(kinds)]

    def versions_of(self, spec) -> list[ClaimVersion]:
        claim = spec["claim"]
        approvals = [t for kind, t in spec["times"] if kind == EventKind.APPROVED]
        count = spec["version_count"]
        return [
            ClaimVersion(
                claim=claim,
                number=number,
                statement=claim.statement,
                claimant=claim.claimant,
                claimant_kind=claim.claimant_kind,
                claim_date=claim.claim_date,
                rating=claim.rating,
                rating_label=claim.rating.label,
                rating_value=claim.rating.value,
                ruling=claim.ruling if number == count else claim.ruling + " (v1)",
                start=claim.start,
                end=claim.end,
                exact=claim.exact,
                revision=self.revision_of[claim.article_id],
                sources=[s.snapshot() for s in spec["sources"]],
                approved_by=spec["reviewer"],
                approved_at=approved_at,
                correction_kind=CorrectionKind.CORRECTION if number > 1 else "",
                correction_text="Un chiffre a été corrigé." if number > 1 else "",
            )
            for number, approved_at in enumerate(approvals, start=1)
        ]

    def events_of(self, spec) -> list[ReviewEvent]:
        claim = spec["claim"]
        snapshot = claim_state(claim, spec["sources"])
        status = ClaimStatus.DRAFT
        events = []
        for kind, when in spec["times"]:
            before = status
            status = STATUS_AFTER.get(kind, status)
            changes, comment, shot = {}, "", {}
            if kind == EventKind.CREATED:
                changes = {"quote": [None, claim.exact]}
            elif kind == EventKind.EDITED:
                changes = {"ruling": ["", claim.ruling]}
            else:  # a transition stores the claim as the actor saw it
                shot = snapshot
            if kind == EventKind.CHANGES_REQUESTED:
                comment = "Please add the source of the second figure."
            elif kind == EventKind.WITHDRAWN:
                comment = claim.withdrawn_reason
            events.append(
                ReviewEvent(
                    claim=claim,
                    claim_ref=claim.pk,
                    actor=spec["reviewer"] if kind in REVIEWER_KINDS else spec["editor"],
                    created_at=when,
                    kind=kind,
                    from_status="" if kind == EventKind.CREATED else before,
                    to_status=status,
                    comment=comment,
                    changes=changes,
                    snapshot=shot,
                )
            )
        return events


DONE_STATES = {"published", "corrected", "withdrawn"}
STATUS_OF = {
    "published": ClaimStatus.PUBLISHED,
    "corrected": ClaimStatus.PUBLISHED,
    "withdrawn": ClaimStatus.WITHDRAWN,
    "updating": ClaimStatus.DRAFT,
    "draft": ClaimStatus.DRAFT,
    "in_review": ClaimStatus.IN_REVIEW,
    "taken": ClaimStatus.IN_REVIEW,
    "changes_requested": ClaimStatus.CHANGES_REQUESTED,
}
STATUS_AFTER = {
    EventKind.SUBMITTED: ClaimStatus.IN_REVIEW,
    EventKind.CHANGES_REQUESTED: ClaimStatus.CHANGES_REQUESTED,
    EventKind.APPROVED: ClaimStatus.PUBLISHED,
    EventKind.UPDATE_STARTED: ClaimStatus.DRAFT,
    EventKind.WITHDRAWN: ClaimStatus.WITHDRAWN,
}
REVIEWER_KINDS = {
    EventKind.REVIEW_TAKEN,
    EventKind.CHANGES_REQUESTED,
    EventKind.APPROVED,
    EventKind.WITHDRAWN,
}


def _base_events(state: str) -> int:
    return {
        "published": 3,
        "corrected": 7,
        "withdrawn": 4,
        "updating": 4,
        "draft": 1,
        "in_review": 2,
        "taken": 3,
        "changes_requested": 3,
    }[state]


def insert(model, objs: list) -> None:
    """Insert `objs` and give them their ids: COPY on PostgreSQL, bulk_create elsewhere.

    bulk_create spends most of its time building SQL in Python; COPY streams the
    rows. Ids come from the table's sequence first, so related rows can point at them.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    meta, quote = model._meta, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        fields = meta.concrete_fields
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                )


class Command(BaseCommand):
    help = "Fill the database with a newsroom's volume of invented work (benchmark fixture)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=2_000)
        parser.add_argument("--claims", type=int, default=100_000)
        parser.add_argument("--events", type=int, default=300_000)
        parser.add_argument(
            "--big-article-claims",
            type=int,
            default=300,
            help="claims on the 50,000-character article",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="add to a database that already holds articles"
        )

    def handle(self, *args, articles, claims, events, big_article_claims, seed, force, **options):
        if articles < 1:
            raise CommandError("--articles must be at least 1.")
        if Article.objects.exists() and not force:
            raise CommandError(
                f"This database already holds {Article.objects.count():,} articles. fill_scale "
                "adds tens of thousands of invented claims to it; run it on an empty database, "
                "or pass --force if that is what you want."
            )
        started = time.perf_counter()
        filler = Filler(
            articles=articles,
            claims=claims,
            events=events,
            big=big_article_claims,
            seed=seed,
            out=self.stdout,
        )
        filler.fill()
        analyse()
        made = filler.made
        self.stdout.write(
            f"Made {made['articles']:,} articles ({made['revisions']:,} revisions), "
            f"{made['claims']:,} claims, {made['sources']:,} sources, "
            f"{made['versions']:,} published versions and {made['events']:,} events "
            f"in {time.perf_counter() - started:.1f} s."
        )
        states = ", ".join(f"{status} {n:,}" for status, n in sorted(filler.by_status.items()))
        self.stdout.write(f"Claims by status: {states}; {filler.overdue:,} overdue.")
        self.stdout.write(
            f"People: {', '.join(EDITORS)} (Editors); {', '.join(REVIEWERS)} (Reviewers)."
        )


def analyse() -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map), as autovacuum would."""
    tables = [
        m._meta.db_table
        for m in (Article, ArticleRevision, Claim, ClaimVersion, ReviewEvent, Source)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            # VACUUM cannot run in a transaction (a test's); ANALYZE can.
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute(f"VACUUM ANALYZE {quoted}" if vacuum else f"ANALYZE {quoted}")
