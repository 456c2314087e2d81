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
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import Article, Claim, ClaimStatus
from .permissions import EDIT_CLAIMS_PERMISSION, can_edit_claims, can_review

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


def mine_q(user) -> Q:
    """Claims that are `user`'s to work on: assigned to them, or unassigned and theirs.

    Once a claim is assigned, it is its assignee's, even for the editor who
    created it: the work moved to someone else.
    """
    return Q(assignee=user) | Q(assignee__isnull=True, created_by=user)


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
        editable = (ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED)
        parts.append(Q(status__in=editable) & mine_q(user))
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
        return Q(status=ClaimStatus.DRAFT) & mine_q(user)
    if section == SENT_BACK:
        return Q(status=ClaimStatus.CHANGES_REQUESTED) & mine_q(user)
    if section == HOLDING:
        return Q(status=ClaimStatus.IN_REVIEW, reviewing_by=user)
    if section == LATE:
        return attention_q(user) & due_q(OVERDUE, on)
    if section == PUBLISHED:
        since = timezone.now() - dt.timedelta(days=RECENTLY_PUBLISHED_DAYS)
        mine = Q(assignee=user) | Q(created_by=user) | Q(current_version__approved_by=user)
        return Q(status=ClaimStatus.PUBLISHED, last_published_at__gte=since) & mine
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
    if for_claims:
        # An IN (subquery) rather than EXISTS: PostgreSQL hashes it once, even under OR.
        claims = Claim.objects.order_by().filter(claim_q(for_claims, user, on))
        having = Q(pk__in=claims.values("article_id"))
        if set(for_claims) == {"due"}:
            # An article nobody has started on is due on its own date.
            untouched = ~Q(pk__in=Claim.objects.order_by().values("article_id"))
            having |= _article_due_q(values["due"], on) & untouched
        q &= having
    return q


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
        )
    }
    for article in articles:
        row = counts.get(article.pk, {})
        article.claim_count = row.get("total", 0)
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
        "article__title",
        "article__language",
        "article__due_on",
        "rating__label",
        "assignee__username",
        "created_by__username",
        "reviewing_by__username",
    )


def with_due(qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Annotate `due` (the claim's due date) and `overdue` (open and past it)."""
    on = on or today()
    overdue = ExpressionWrapper(
        Q(status__in=OPEN_STATUSES, due__lt=on), output_field=BooleanField()
    )
    return qs.annotate(due=due_date()).annotate(overdue=overdue)


def claim_list(filters: DeskFilters, on: dt.date | None = None) -> QuerySet:
    """Claims matching the filters, the most recently changed first."""
    on = on or today()
    qs = _claims().filter(claim_q(filters.values, filters.user, on))
    return with_due(qs, on).order_by("-updated_at", "-pk")


def work_list(section: str, user, on: dt.date | None = None) -> QuerySet:
    """One "My work" section, in the order that serves it."""
    on = on or today()
    qs = with_due(_claims().filter(work_q(section, user, on)), on)
    if section == PUBLISHED:
        return qs.order_by("-last_published_at", "-pk")
    if section in (HOLDING, LATE):
        return qs.order_by(F("due").asc(nulls_last=True), "submitted_at", "pk")
    return qs.order_by("-updated_at", "-pk")


def review_queue(filters: DeskFilters | None = None, on: dt.date | None = None) -> QuerySet:
    """Claims in review: soonest due first (no date last), then the longest waiting."""
    on = on or today()
    qs = _claims().filter(status=ClaimStatus.IN_REVIEW)
    if filters is not None:
        qs = qs.filter(claim_q(filters.values, filters.user, on))
    return with_due(qs, on).order_by(F("due").asc(nulls_last=True), "submitted_at", "pk")


@dataclass
class WorkSection:
    key: str
    title: str
    count: int
    claims: list


def my_work(user, on: dt.date | None = None) -> list[WorkSection]:
    """The "My work" sections: one query counts them all, one per non-empty section lists it."""
    on = on or today()
    sections = work_sections(user)
    qs = {key: work_q(key, user, on) for key in sections}
    any_section = Q(pk__in=[])
    for q in qs.values():
        any_section |= q
    counts = (
        Claim.objects.order_by()
        .filter(any_section)
        .aggregate(**{key: Count("pk", filter=q) for key, q in qs.items()})
    )
    return [
        WorkSection(
            key,
            WORK_TITLES[key],
            counts[key],
            list(work_list(key, user, on)[:MY_WORK_LIMIT]) if counts[key] else [],
        )
        for key in sections
    ]
