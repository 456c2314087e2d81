"""The desk's lists: filters, orderings, counts per status and "My work".

Plain functions over querysets, testable without a request. Every list has a
stable order ending in the primary key, and every query here is a fixed
number per page whatever the size of the desk: the article list is paginated
on the articles alone, then one aggregated query counts the claims of the
articles on the page, so nothing counts a whole table once per row.

Due dates: a claim's due date is its own, or else its article's (an article
due on Friday makes all its claims due on Friday unless one has its own date).
Only open work is late: due-date filters and "overdue" look at claims that
are a draft, in review or sent back, never at published or withdrawn ones.
An article with no claim yet is open work too, due on its own date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import Article, Claim, ClaimStatus, ClaimVersion
from .permissions import EDIT_CLAIMS_PERMISSION, can_edit_claims, can_review
from .selectors import changed_since_publication

PER_PAGE = 25
MY_WORK_LIMIT = 5
RECENTLY_PUBLISHED_DAYS = 14
# "Due soon" is the next seven days rather than "this week": where a week
# starts depends on the country, and on a Saturday "this week" would be one day.
DUE_SOON_DAYS = 7

OPEN_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.IN_REVIEW, ClaimStatus.CHANGES_REQUESTED)
# The statuses an article's counts show, in workflow order.
COUNTED_STATUSES = (
    ClaimStatus.DRAFT,
    ClaimStatus.IN_REVIEW,
    ClaimStatus.CHANGES_REQUESTED,
    ClaimStatus.PUBLISHED,
    ClaimStatus.WITHDRAWN,
)

OVERDUE, DUE_SOON, NO_DUE_DATE = "overdue", "soon", "none"
UNASSIGNED = "none"

# "My work" sections, in the order /desk/ shows them.
DRAFTS, SENT_BACK, HOLDING, LATE, PUBLISHED = (
    "drafts",
    "sent_back",
    "holding",
    "overdue",
    "published",
)
WORK_TITLES = {
    DRAFTS: _("My drafts"),
    SENT_BACK: _("Sent back to me"),
    HOLDING: _("Reviews I hold"),
    LATE: _("Overdue"),
    PUBLISHED: _("Recently published"),
}


def today() -> dt.date:
    return timezone.localdate()


def due_date():
    """A claim's due date: its own, or else its article's."""
    return Coalesce("due_on", "article__due_on")


def _due_between(first: dt.date | None, last: dt.date | None, prefix: str = "") -> Q:
    """Claims (or, with prefix "article__", nothing else) whose due date is in [first, last]."""

    def bounds(field: str) -> Q:
        q = Q()
        if first is not None:
            q &= Q(**{f"{field}__gte": first})
        if last is not None:
            q &= Q(**{f"{field}__lte": last})
        return q

    # Written without Coalesce so that the (status, due_on) index serves the first branch.
    return bounds("due_on") | (Q(due_on__isnull=True) & bounds("article__due_on"))


def due_q(choice: str, on: dt.date) -> Q:
    """Open claims matching a due-date filter (OVERDUE, DUE_SOON or NO_DUE_DATE)."""
    open_work = Q(status__in=OPEN_STATUSES)
    if choice == OVERDUE:
        return open_work & _due_between(None, on - dt.timedelta(days=1))
    if choice == DUE_SOON:
        return open_work & _due_between(on, on + dt.timedelta(days=DUE_SOON_DAYS - 1))
    if choice == NO_DUE_DATE:
        return open_work & Q(due_on__isnull=True, article__due_on__isnull=True)
    return Q()


def _article_due_q(choice: str, on: dt.date) -> Q:
    """The same filter for an article without claims, on the article's own date."""
    if choice == OVERDUE:
        return Q(due_on__lt=on)
    if choice == DUE_SOON:
        return Q(due_on__gte=on, due_on__lte=on + dt.timedelta(days=DUE_SOON_DAYS - 1))
    if choice == NO_DUE_DATE:
        return Q(due_on__isnull=True)
    return Q(pk__in=[])


def mine_q(user, statuses) -> Q:
    """Claims in `statuses` that are `user`'s to work on: assigned to them, or
    unassigned and created by them.

    Once a claim is assigned, it is its assignee's, even for the editor who
    created it: the work moved to someone else. Each branch carries the
    status, so that each one is an index scan ((assignee, status), (created_by, status)).
    """
    return Q(assignee=user, status__in=statuses) | Q(
        assignee__isnull=True, created_by=user, status__in=statuses
    )


def held_or_open_review_q(user) -> Q:
    """Claims in review that `user` holds, or that nobody holds and they did not write.

    The four-eyes rule itself is checked when acting; leaving out the
    claims a reviewer created or submitted keeps their own work off their list.
    """
    unheld = Q(reviewing_by__isnull=True) & ~Q(created_by=user) & ~Q(submitted_by=user)
    return Q(status=ClaimStatus.IN_REVIEW) & (Q(reviewing_by=user) | unheld)


def attention_q(user) -> Q:
    """What needs `user`: for an editor, their drafts and claims sent back to them;
    for a reviewer, claims in review they hold or that nobody holds."""
    parts = []
    if can_edit_claims(user):
        parts.append(mine_q(user, (ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED)))
    if can_review(user):
        parts.append(held_or_open_review_q(user))
    if not parts:
        return Q(pk__in=[])
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def work_q(section: str, user, on: dt.date) -> Q:
    """One "My work" section as a filter on claims."""
    if section == DRAFTS:
        return mine_q(user, [ClaimStatus.DRAFT])
    if section == SENT_BACK:
        return mine_q(user, [ClaimStatus.CHANGES_REQUESTED])
    if section == HOLDING:
        return Q(status=ClaimStatus.IN_REVIEW, reviewing_by=user)
    if section == LATE:
        return attention_q(user) & due_q(OVERDUE, on)
    if section == PUBLISHED:
        since = timezone.now() - dt.timedelta(days=RECENTLY_PUBLISHED_DAYS)
        approved = ClaimVersion.objects.filter(approved_by=user, approved_at__gte=since)
        recent = Q(status=ClaimStatus.PUBLISHED, last_published_at__gte=since)
        # Each branch carries the status and the date, so that each is a range of
        # its own index ((assignee | created_by, status, last_published_at), and
        # the versions' (approved_by, approved_at)) rather than a walk through
        # everything the desk published in two weeks.
        return (
            (recent & Q(assignee=user))
            | (recent & Q(created_by=user))
            | (recent & Q(pk__in=approved.order_by().values("claim_id")))
        )
    raise ValueError(section)


def work_sections(user) -> list[str]:
    """The "My work" sections a user has: reviews to hold only for reviewers."""
    sections = [DRAFTS, SENT_BACK] if can_edit_claims(user) else []
    if can_review(user):
        sections.append(HOLDING)
    return [*sections, LATE, PUBLISHED]


# -- the filter form -------------------------------------------------------------------


def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def desk_assignees():
    """Active users who may edit claims: the people a claim can be assigned to."""
    perm_app, perm_codename = EDIT_CLAIMS_PERMISSION.split(".")
    by_group = Q(
        groups__permissions__codename=perm_codename,
        groups__permissions__content_type__app_label=perm_app,
    )
    direct = Q(
        user_permissions__codename=perm_codename,
        user_permissions__content_type__app_label=perm_app,
    )
    return (
        get_user_model()
        .objects.filter(by_group | direct | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("username", "pk")
        .only("pk", "username")
    )


class DeskFilters(forms.Form):
    """The GET form above every desk list. Invalid values are reported and ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    outlet = forms.ChoiceField(label=_("Outlet"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    due = forms.ChoiceField(
        label=_("Due date"),
        required=False,
        choices=[
            ("", pgettext_lazy("due date", "Any")),
            (OVERDUE, _("Overdue")),
            (DUE_SOON, _("Due in the next 7 days")),
            (NO_DUE_DATE, _("No due date")),
        ],
    )
    attention = forms.BooleanField(label=_("Needs my attention"), required=False)

    def __init__(self, data, *, user, show_status: bool = True):
        super().__init__(data, auto_id="filter-%s", label_suffix="")
        self.user = user
        self.fields["status"].choices = [("", pgettext_lazy("status", "Any")), *ClaimStatus.choices]
        if not show_status:
            del self.fields["status"]
        pairs = Article.objects.order_by().values_list("language", "outlet").distinct()
        languages, outlets = set(), set()
        for language, outlet in pairs:
            languages.add(language)
            if outlet:
                outlets.add(outlet)
        self.fields["language"].choices = [("", pgettext_lazy("language", "Any"))] + sorted(
            ((code, language_name(code)) for code in languages), key=lambda c: c[1].casefold()
        )
        self.fields["outlet"].choices = [("", pgettext_lazy("outlet", "Any"))] + [
            (o, o) for o in sorted(outlets, key=str.casefold)
        ]
        self.fields["assignee"].choices = [
            ("", pgettext_lazy("assignee", "Anyone")),
            (UNASSIGNED, _("Unassigned")),
        ] + [(str(u.pk), u.get_username()) for u in desk_assignees()]

    @property
    def values(self) -> dict:
        """The valid, non-empty filters; an invalid one is reported and dropped."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}

    @property
    def active(self) -> bool:
        return bool(self.values)


class ClaimFilters(DeskFilters):
    """The claim list's filters: the desk's, and one "My work" section."""

    work = forms.ChoiceField(label=_("My work"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        self.fields["work"].choices = [("", pgettext_lazy("my work", "All claims"))] + [
            (key, WORK_TITLES[key]) for key in work_sections(user)
        ]


def claim_q(values: dict, user, on: dt.date) -> Q:
    """What the filters (DeskFilters.values) ask of a claim."""
    q = Q()
    if "status" in values:
        q &= Q(status=values["status"])
    if "language" in values:
        q &= Q(article__language=values["language"])
    if "outlet" in values:
        q &= Q(article__outlet=values["outlet"])
    if "assignee" in values:
        if values["assignee"] == UNASSIGNED:
            q &= Q(assignee__isnull=True)
        else:
            q &= Q(assignee_id=int(values["assignee"]))
    if "due" in values:
        q &= due_q(values["due"], on)
    if values.get("attention"):
        q &= attention_q(user)
    if "work" in values:
        q &= work_q(values["work"], user, on)
    return q


ARTICLE_FIELDS = {"language", "outlet"}


def article_q(values: dict, user, on: dt.date) -> Q:
    """What the filters ask of an article: its own fields, and a claim matching the rest."""
    q = Q()
    if "language" in values:
        q &= Q(language=values["language"])
    if "outlet" in values:
        q &= Q(outlet=values["outlet"])
    for_claims = {k: v for k, v in values.items() if k not in ARTICLE_FIELDS}
    if set(for_claims) == {"due"}:
        q &= _article_due_filter(values["due"], on)
    elif for_claims:
        # An IN (subquery): PostgreSQL runs it once as a semi-join.
        claims = Claim.objects.order_by().filter(claim_q(for_claims, user, on))
        q &= Q(pk__in=claims.values("article_id"))
    return q


def _article_due_filter(choice: str, on: dt.date) -> Q:
    """Articles with an open claim matching a due-date filter, or with no claim yet
    and the article's own date matching.

    The same as "has a claim matching due_q()", split by where the date comes
    from, so that each part is an index scan: claims with their own date
    through (status, due_on); claims taking the article's date by probing the
    articles whose date matches.
    """
    articles_claims = Claim.objects.filter(article=OuterRef("pk"))
    inherits = Exists(articles_claims.filter(status__in=OPEN_STATUSES, due_on__isnull=True))
    by_article = _article_due_q(choice, on) & (inherits | ~Exists(articles_claims))
    if choice == NO_DUE_DATE:
        return by_article
    own = Claim.objects.order_by().filter(status__in=OPEN_STATUSES, due_on__isnull=False)
    if choice == OVERDUE:
        own = own.filter(due_on__lt=on)
    else:
        own = own.filter(due_on__range=(on, on + dt.timedelta(days=DUE_SOON_DAYS - 1)))
    return Q(pk__in=own.values("article_id")) | by_article


# -- the lists ------------------------------------------------------------------------


def desk_articles(filters: DeskFilters | None = None, on: dt.date | None = None) -> QuerySet:
    """Articles, newest loaded first, without counts: paginate these, then count_claims()."""
    qs = Article.objects.select_related("created_by").defer("body", "sentences")
    if filters is not None:
        qs = qs.filter(article_q(filters.values, filters.user, on or today()))
    return qs.order_by("-created_at", "-pk")


def count_claims(articles: list[Article], on: dt.date | None = None) -> None:
    """Set `status_counts` ([(status, label, n), ...]), `claim_count` and `overdue`
    on each article: one aggregated query for the whole page, by conditional counts.

    An article is overdue past its due date while it has open claims, or none yet.
    """
    on = on or today()
    counts = {
        row["article_id"]: row
        for row in Claim.objects.filter(article__in=[a.pk for a in articles])
        .order_by()
        .values("article_id")
        .annotate(
            total=Count("pk"),
            **{s.value: Count("pk", filter=Q(status=s)) for s in COUNTED_STATUSES},
            # Published claims whose passage a revision made uncertain: flagged.
            changed=Count("pk", filter=changed_since_publication()),
        )
    }
    for article in articles:
        row = counts.get(article.pk, {})
        article.claim_count = row.get("total", 0)
        article.changed_count = row.get("changed", 0)
        article.status_counts = [
            (s.value, s.label, row[s.value]) for s in COUNTED_STATUSES if row.get(s.value)
        ]
        open_work = sum(row.get(s, 0) for s in OPEN_STATUSES) or not article.claim_count
        article.overdue = bool(article.due_on and article.due_on < on and open_work)


def _claims() -> QuerySet:
    return Claim.objects.select_related(
        "article", "rating", "assignee", "created_by", "reviewing_by"
    ).only(
        "statement",
        "exact",
        "status",
        "due_on",
        "submitted_at",
        "updated_at",
        "last_published_at",
        # What `Claim.changed_since_publication` reads.
        "current_version",
        "public_start",
        "anchor_status",
        "article__title",
        "article__language",
        "article__due_on",
        "rating__label",
        "rating__translations",
        "assignee__username",
        "created_by__username",
        "reviewing_by__username",
    )


def mark_due(claims, on: dt.date | None = None) -> list:
    """Set `due` (an open claim's due date) and `overdue` (past it) on each claim.

    In Python rather than as annotations: an annotation would join the
    articles into the paginator's count of a whole list.
    """
    on = on or today()
    claims = list(claims)
    for claim in claims:
        # Done work has no deadline left to show.
        is_open = claim.status in OPEN_STATUSES
        claim.due = (claim.due_on or claim.article.due_on) if is_open else None
        claim.overdue = bool(claim.due and claim.due < on)
    return claims


# Soonest due first, no date last, then the longest waiting. An ORDER BY joins
# the articles only when rows are fetched, never into the paginator's count.
BY_DUE_DATE = (due_date().asc(nulls_last=True), F("submitted_at").asc(nulls_last=True), "pk")


def claim_list(filters: DeskFilters, on: dt.date | None = None) -> QuerySet:
    """Claims matching the filters, the most recently changed first."""
    on = on or today()
    qs = _claims().filter(claim_q(filters.values, filters.user, on))
    return qs.order_by("-updated_at", "-pk")


def work_ids(section: str, user, on: dt.date | None = None) -> QuerySet:
    """One "My work" section's claims, in the order that serves it, without the
    joins of a list: my_work() takes their ids, and loads the few it shows."""
    qs = Claim.objects.filter(work_q(section, user, on or today()))
    if section == PUBLISHED:
        return qs.order_by("-last_published_at", "-pk")
    if section in (HOLDING, LATE):
        return qs.order_by(*BY_DUE_DATE)
    return qs.order_by("-updated_at", "-pk")


def review_queue(filters: DeskFilters | None = None, on: dt.date | None = None) -> QuerySet:
    """Ids of the claims in review: soonest due first (no date last), then the longest
    waiting. Paginate these, then claims_in_order() the page.

    Sorting every claim in review by a date that may be its article's cannot
    stop early; sorting ids alone reads the (status, due_on) index, which
    carries the rest of the sort key, instead of every row of the table.
    """
    on = on or today()
    qs = Claim.objects.filter(status=ClaimStatus.IN_REVIEW)
    if filters is not None:
        qs = qs.filter(claim_q(filters.values, filters.user, on))
    return qs.order_by(*BY_DUE_DATE).values_list("pk", flat=True)


def claims_in_order(ids, on: dt.date | None = None) -> list:
    """The claims with these ids, in that order, ready to list (mark_due)."""
    ids = list(ids)
    found = {c.pk: c for c in _claims().filter(pk__in=ids)}
    return mark_due([found[pk] for pk in ids if pk in found], on)


@dataclass
class WorkSection:
    key: str
    title: str
    count: int
    claims: list


def my_work(user, on: dt.date | None = None) -> list[WorkSection]:
    """The "My work" sections: one query per section gives its first ids and,
    by a window count, how many it has; one more loads the claims shown.

    The window count reads every row of its section, as a separate count would;
    the sections are one person's work, and each is read through its own index.
    Loading the claims apart keeps the per-section queries free of the joins
    a list needs, whose planning cost more than their execution (a count over
    the union of the sections, and a list per section, took 35 ms for an editor
    and 210 ms for a reviewer at 100,000 claims; this, 15).
    Every query runs whether its section is empty or not.
    """
    on = on or today()
    keys = work_sections(user)
    firsts, counts = {}, {}
    for key in keys:
        rows = list(
            work_ids(key, user, on)
            .annotate(section_total=Window(Count("pk")))
            .values_list("pk", "section_total")[:MY_WORK_LIMIT]
        )
        firsts[key] = [pk for pk, _total in rows]
        counts[key] = rows[0][1] if rows else 0
    ids = {pk for section in firsts.values() for pk in section}
    # Loaded even with nothing to show (no claim has id 0: an empty IN would
    # skip the query), so that the page's queries never depend on the data.
    shown = {c.pk: c for c in claims_in_order(ids or [0], on)}
    return [
        WorkSection(
            key, WORK_TITLES[key], counts[key], [shown[pk] for pk in firsts[key] if pk in shown]
        )
        for key in keys
    ]
