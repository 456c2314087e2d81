"""Measure the annotating screen with 0, 50 and 300 claims (a benchmark, not a test).

Builds a 50,000-character article inside a transaction that is rolled back at
the end, so it can run against any database without leaving anything behind.
Prints, for each claim count, the server time of GET /desk/articles/<id>/ (median of
several runs, through Django's full request handling; the runs of the different sizes take
turns), the number of SQL queries and the size of the HTML.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.anchoring import make_anchor
from claims.demo.loader import demo_body, newsroom
from claims.models import Claim, Rating, Source

TARGET_CHARS = 50_000


class _Rollback(Exception):
    pass


def build_body() -> str:
    seed = demo_body(newsroom())
    paragraphs = []
    size = 0
    while size < TARGET_CHARS:
        for paragraph in seed.split("\n\n"):
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
            if size >= TARGET_CHARS:
                break
    return "\n\n".join(paragraphs)[:TARGET_CHARS].rstrip()


def add_claims(article, user, count: int) -> None:
    """`count` claims spread over the text, some overlapping, three sources each."""
    sentences = article.sentences
    ratings = list(Rating.objects.all())
    step = max(len(sentences) // max(count, 1), 1)
    claims = []
    for i in range(count):
        start, end = sentences[(i * step) % len(sentences)]
        if i % 5 == 4:  # every fifth claim overlaps the previous sentence's end
            end = min(end + 20, len(article.body))
        anchor = make_anchor(article.body, start, end)
        claim = Claim(
            article=article,
            created_by=user,
            updated_by=user,
            statement=f"Claim {i}",
            claimant="Benchmark",
            rating=ratings[i % len(ratings)],
            ruling="Ruling " * 20,
        )
        claim.set_anchor(anchor)
        claims.append(claim)
    Claim.objects.bulk_create(claims)
    claims = list(Claim.objects.filter(article=article))
    Source.objects.bulk_create(
        Source(claim=c, order=n, url=f"https://example.org/{c.pk}/{n}", title=f"Source {n}")
        for c in claims
        for n in range(3)
    )


class Command(BaseCommand):
    help = "Benchmark the annotating screen with 0, 50 and 300 claims on a 50,000-char article."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=25)
        parser.add_argument("--counts", default="0,50,300")

    def handle(self, *args, runs, counts, **options):
        counts = [int(c) for c in counts.split(",")]
        rows = []
        try:
            with (
                transaction.atomic(),
                override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, DEBUG=False),
            ):
                user = User.objects.create_user("benchmark-editor")
                user.groups.add(Group.objects.get(name="Editors"))
                client = Client()
                client.force_login(user)
                urls = {}
                for count in counts:
                    article = services.create_article(
                        user, title=f"Benchmark {count}", language="fr", body=build_body()
                    )
                    add_claims(article, user, count)
                    urls[count] = reverse("desk:article", args=[article.pk])
                rows = self.measure(client, urls, runs)
                raise _Rollback
        except _Rollback:
            pass
        base = rows[0]["median_ms"]
        self.stdout.write(
            f"{'claims':>6} {'median ms':>10} {'min ms':>8} {'queries':>8} {'HTML KB':>8} "
            f"{'× empty':>8}"
        )
        for row in rows:
            self.stdout.write(
                f"{row['claims']:>6} {row['median_ms']:>10.1f} {row['min_ms']:>8.1f} "
                f"{row['queries']:>8} {row['html_kb']:>8.1f} {row['median_ms'] / base:>8.2f}"
            )
        same = len({row["queries"] for row in rows}) == 1
        self.stdout.write(f"query count constant: {'yes' if same else 'NO'}")

    def measure(self, client, urls, runs):
        """Runs interleaved, one page of each size per round, so that a slow moment of a
        shared machine weighs on every size alike instead of on whichever ran then."""
        times = {count: [] for count in urls}
        for url in urls.values():
            client.get(url)  # warm caches (templates, segmenter)
        for _ in range(runs):
            for count, url in urls.items():
                started = time.perf_counter()
                response = client.get(url)
                times[count].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
        rows = []
        for count, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            rows.append(
                {
                    "claims": count,
                    "median_ms": statistics.median(times[count]),
                    "min_ms": min(times[count]),
                    "queries": len(queries),
                    "html_kb": len(response.content) / 1024,
                }
            )
        return rows
