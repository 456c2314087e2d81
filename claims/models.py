"""The fact-checking domain: articles, claims anchored in them, sources, the rating scale."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import scale_i18n
from .anchoring import Anchor
from .validators import language_tag_validator, validate_hex_colour, web_url_validator


def cut_slug(slug: str, limit: int) -> str:
    """`slug` shortened to at most `limit` characters at a word boundary (a hyphen).

    A single word longer than `limit` is cut, since there is no boundary to cut at.
    """
    if len(slug) <= limit:
        return slug
    head = slug[: limit + 1]  # one more: a hyphen right after the limit ends a whole word
    cut = head.rfind("-")
    return (head[:cut] if cut > 0 else slug[:limit]).strip("-")


def unique_slug(instance: models.Model, base: str, random_suffix: bool = False) -> str:
    """`base`, or `base-2`, `base-3`… whichever is free among `instance`'s model (one query).

    Free when read is not free when written: callers insert in a savepoint and
    retry with `random_suffix` when a concurrent insert took the same slug.
    """
    if random_suffix:
        return f"{base}-{secrets.token_hex(3)}"
    taken = set(
        type(instance)
        .objects.filter(slug__startswith=base)
        .exclude(pk=instance.pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


class Rating(models.Model):
    """One step of the newsroom's rating scale.

    Ordinal ratings carry a numeric `value` (ClaimReview's ratingValue); the
    others ("Trompeur", "Manque de contexte") have none and are shown by label.
    """

    label = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    colour = models.CharField(max_length=7, default="#6b7280", validators=[validate_hex_colour])
    # The same step in the other interface languages, on the same row, so that
    # every query that reads a rating (select_related, the publication stamp)
    # reads its translations too: {"en": {"label": "True", "description": "…"}}.
    # label and description above are the newsroom's language (scale_i18n).
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.shown.label

    @property
    def shown(self) -> scale_i18n.Shown:
        """Label and description in the active interface language, or the newsroom's."""
        return scale_i18n.shown(self.label, self.description, self.translations)

    @property
    def shown_label(self) -> scale_i18n.Shown:
        """The label alone in the active interface language: lists that load no description."""
        return scale_i18n.shown_label(self.label, scale_i18n.frozen_labels(self))

    def shown_in(self, language: str) -> scale_i18n.Shown:
        return scale_i18n.shown(self.label, self.description, self.translations, language)

    def clean(self):
        super().clean()
        self.translations = clean_rating_translations(self.translations)


def clean_rating_translations(value) -> dict:
    """`value` as Rating.translations stores it: interface languages other than the
    scale's own, each with a label; entries with neither label nor description dropped."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("Translations must map a language to a label and description."))
    allowed = dict(scale_i18n.translation_languages())
    cleaned = {}
    for lang, entry in sorted(value.items()):
        if lang not in allowed:
            raise ValidationError(
                _("“%(lang)s” is not one of the languages the scale is translated into."),
                params={"lang": lang},
            )
        if not isinstance(entry, dict):
            raise ValidationError(_("Translations must map a language to a label and description."))
        label = str(entry.get("label") or "").strip()
        description = str(entry.get("description") or "").strip()
        if not label and not description:
            continue
        if not label:
            raise ValidationError(
                _("The description in “%(lang)s” needs a label in “%(lang)s” too."),
                params={"lang": lang},
            )
        if len(label) > 100:
            raise ValidationError(_("A label has at most 100 characters."))
        cleaned[lang] = {"label": label, "description": description}
    return cleaned


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=False)
    outlet = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=200, blank=True)
    url = models.URLField(
        _("original URL"), max_length=2000, blank=True, validators=[web_url_validator]
    )
    language = models.CharField(max_length=35, default="fr", validators=[language_tag_validator])
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    image_caption = models.CharField(max_length=500, blank=True)
    image_credit = models.CharField(max_length=200, blank=True)
    # Canonical plain text (claims/text.py): every claim's offsets point into it.
    body = models.TextField()
    # Sentence spans [[start, end], ...] of the body, computed once when the
    # body is set: the annotating screen needs them on every request.
    sentences = models.JSONField(default=list, blank=True, editable=False)
    # When the desk must be done with the article (optional).
    due_on = models.DateField(_("due date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The desk lists articles newest first, a page at a time.
        indexes = [models.Index(fields=["-created_at", "-id"], name="article_newest")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("desk:article", args=[self.pk])

    def assign_unique_slug(self, *, random_suffix: bool = False) -> None:
        """The title's slug, numbered when taken."""
        self.slug = unique_slug(
            self, cut_slug(slugify(self.title), 100) or "article", random_suffix
        )


class RevisionReason(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    EDITED = "edited", _("Edited")
    REFETCHED = "refetched", _("Re-fetched from the original")


class AnchorStatus(models.TextChoices):
    """Where a claim's highlight stands after the article's text was revised.

    Blank: placed by a person on the current text. ``kept`` and ``moved`` were
    placed by the machine on the very words that were checked (claims/
    revision_anchoring.py), so they are certain. ``needs_check``: the highlight
    sits on a candidate a person must confirm. ``orphaned``: the words are gone;
    the offsets are stale and must not be shown, the quote is kept.
    ``confirmed``: a person accepted the candidate (an audited highlight move).
    """

    PLACED = "", _("Placed")
    KEPT = "kept", _("Kept")
    MOVED = "moved", _("Moved")
    NEEDS_CHECK = "needs_check", _("To check")
    ORPHANED = "orphaned", _("Orphaned")
    CONFIRMED = "confirmed", _("Confirmed")


# Positions a reader may be shown: the machine found the checked words, or a person said so.
CERTAIN_ANCHOR_STATUSES = frozenset(
    {AnchorStatus.PLACED, AnchorStatus.KEPT, AnchorStatus.MOVED, AnchorStatus.CONFIRMED}
)
UNCERTAIN_ANCHOR_STATUSES = frozenset({AnchorStatus.NEEDS_CHECK, AnchorStatus.ORPHANED})


class ClaimantKind(models.TextChoices):
    """Who made a claim, as schema.org types it (ClaimReview's itemReviewed.author)."""

    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class CorrectionKind(models.TextChoices):
    UPDATE = "update", _("Update (new information)")
    CORRECTION = "correction", _("Correction (an error was fixed)")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClaimantShown:
    """For a claim and its approved versions alike: who made the claim, as the desk shows it."""

    @property
    def claimant_with_kind(self) -> str:
        """The name, and the kind when recorded: "Tendances numériques (Organisation)"."""
        if not (self.claimant and self.claimant_kind):
            return self.claimant
        return f"{self.claimant} ({self.get_claimant_kind_display()})"


class ClaimQuerySet(models.QuerySet):
    def next_number(self, article_id: int) -> int:
        """The number the article's next claim gets: one more than its highest."""
        highest = self.filter(article_id=article_id).aggregate(n=models.Max("number"))["n"]
        return (highest or 0) + 1

    def bulk_create(self, objs, *args, **kwargs):
        # Fill commands and benchmarks insert claims in bulk, bypassing save():
        # number those that have none, after each article's highest.
        objs = list(objs)
        following: dict[int, int] = {}
        for claim in objs:
            if claim.number is None:
                if claim.article_id not in following:
                    following[claim.article_id] = self.next_number(claim.article_id)
                claim.number = following[claim.article_id]
                following[claim.article_id] += 1
        return super().bulk_create(objs, *args, **kwargs)


class Claim(ClaimantShown, models.Model):
    """A passage of an article turned into a checkable claim.

    The anchor follows the W3C Web Annotation selectors: a TextPositionSelector
    (start, end in code points of the article body) and a TextQuoteSelector
    (exact text with up to 32 characters of context either side).
    """

    # PROTECT: deleting an article must not take its claims (and their
    # audit trail) with it; claims are deleted one by one, on record.
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    # "Claim 3" on the desk: given once, at creation, and kept whatever is
    # claimed before it in the text later (services.create_claim).
    number = models.PositiveIntegerField(_("number"), editable=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)

    statement = models.CharField(_("claim"), max_length=500, blank=True)
    claimant = models.CharField(max_length=200, blank=True)
    claimant_kind = models.CharField(
        _("kind of claimant"), max_length=12, blank=True, choices=ClaimantKind.choices
    )
    claim_date = models.DateField(_("date of the claim"), null=True, blank=True)
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("verdict")
    )
    ruling = models.TextField(blank=True)

    status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, db_index=True
    )
    # Optimistic locking: every save of the claim or its sources bumps it, and
    # a save that started from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    last_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set at the first approval, never changed: the public lists' order
    # (newest fact-check first), which an index serves without a sort.
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The fact-check's public address (/fact-checks/<slug>/), fixed at the
    # first approval so that links never break.
    slug = models.SlugField(max_length=120, unique=True, null=True, blank=True, editable=False)
    # What readers see: the last approved version (None until the first approval).
    current_version = models.ForeignKey(
        "ClaimVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The reviewer who took the review (Take review), shown while in review.
    reviewing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The note that will accompany the next published version (updates only).
    correction_kind = models.CharField(
        _("correction note kind"), max_length=12, blank=True, choices=CorrectionKind.choices
    )
    correction_text = models.TextField(_("correction note"), blank=True, max_length=2000)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.TextField(blank=True)

    # Ownership: the editor who does the work, and when it is due.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)

    # The working highlight across revisions of the article (AnchorStatus).
    # `start`/`end`/`exact` always point into the current body, except when
    # orphaned; `checked_exact` keeps the quote as it stood before the
    # revision that made the position uncertain (blank when certain).
    anchor_status = models.CharField(
        max_length=12, blank=True, default="", choices=AnchorStatus.choices, db_index=True
    )
    checked_exact = models.TextField(blank=True, editable=False)
    # Where the published version's quote is in the current body. Set from the
    # version at each approval; re-anchored at each revision. None when the
    # passage was changed or removed since (status needs_check or orphaned):
    # readers then see no highlight but a note, dated `public_changed_at`.
    public_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    public_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    public_anchor_status = models.CharField(
        max_length=12, blank=True, default="", choices=AnchorStatus.choices, editable=False
    )
    public_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end", "pk"]
        indexes = [
            models.Index(fields=["article", "start"]),
            # Covering: an article page's counts per status, and of claims changed since
            # publication (desk_lists.count_claims), read the index alone.
            models.Index(
                fields=[
                    "article",
                    "status",
                    "anchor_status",
                    "public_start",
                    "current_version",
                    "id",
                ],
                name="claim_article_counts",
            ),
            # The desk's lists and filters (claims/desk_lists.py).
            # Covering: "articles with a claim due…", the review queue's order and
            # its filters (who holds, wrote, submitted, is assigned) read the index
            # alone. Key columns rather than INCLUDE, which SQLite does not have.
            models.Index(
                fields=[
                    "status",
                    "due_on",
                    "submitted_at",
                    "article",
                    "id",
                    "reviewing_by",
                    "created_by",
                    "submitted_by",
                    "assignee",
                ],
                name="claim_status_due",
            ),
            # Whose claims, in which status, and (for "Recently published") since when;
            # the article, so that "articles with a claim assigned to…" reads the index alone.
            models.Index(
                fields=["assignee", "status", "last_published_at", "article"],
                name="claim_assignee_status",
            ),
            models.Index(
                fields=["created_by", "status", "last_published_at"], name="claim_creator_status"
            ),
            models.Index(fields=["-updated_at", "-id"], name="claim_recent"),
            # Covering: "Recently published" picks one person's claims out of the
            # desk's last two weeks from the index alone (whose, and the claim id
            # for the approvals' subquery).
            models.Index(
                fields=["status", "last_published_at", "assignee", "created_by", "id"],
                name="claim_status_published",
            ),
            models.Index(
                fields=["-first_published_at", "-id"],
                name="claim_public_latest",
                condition=models.Q(current_version__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="claim_nonempty_anchor"
            ),
            models.UniqueConstraint(fields=["article", "number"], name="one_claim_number"),
        ]
        permissions = [("review_claim", "Can approve and publish or request changes")]

    def __str__(self) -> str:
        return self.statement or self.exact[:80]

    def save(self, *args, **kwargs):
        # services.create_claim numbers a claim under its article's row lock;
        # this covers claims made directly (tests, the shell), unlocked.
        if self.number is None:
            self.number = Claim.objects.next_number(self.article_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("desk:article", args=[self.article_id]) + f"?claim={self.pk}"

    def assign_public_slug(self, *, random_suffix: bool = False) -> None:
        """A readable, unique slug from the claim as checked (kept once set)."""
        if self.slug:
            return
        base = cut_slug(slugify(self.statement), 80) or "fact-check"
        self.slug = unique_slug(self, base, random_suffix)

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.start, self.end, self.exact, self.prefix, self.suffix)

    def set_anchor(self, anchor: Anchor) -> None:
        self.start, self.end = anchor.start, anchor.end
        self.exact, self.prefix, self.suffix = anchor.exact, anchor.prefix, anchor.suffix

    @property
    def is_placed(self) -> bool:
        """False when the revised text lost the claim's words: start/end are stale."""
        return self.anchor_status != AnchorStatus.ORPHANED

    @property
    def position_is_certain(self) -> bool:
        return self.anchor_status in CERTAIN_ANCHOR_STATUSES

    @property
    def public_passage_changed(self) -> bool:
        """A published claim whose checked passage is no longer certain in the current text."""
        return self.current_version_id is not None and self.public_start is None

    @property
    def changed_since_publication(self) -> bool:
        """The desk's flag: readers have a verdict on words a revision made uncertain.

        `selectors.changed_since_publication()` is the same rule as a query.
        """
        return (
            self.current_version_id is not None
            and self.status != ClaimStatus.WITHDRAWN
            and (self.public_start is None or self.anchor_status in UNCERTAIN_ANCHOR_STATUSES)
        )

    @property
    def was_ever_published(self) -> bool:
        return self.last_published_at is not None

    @property
    def can_be_deleted(self) -> bool:
        """Published work stays on record; only never-published claims may go."""
        return not self.was_ever_published and self.status in {
            ClaimStatus.DRAFT,
            ClaimStatus.CHANGES_REQUESTED,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in {ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED}


class Stance(models.TextChoices):
    SUPPORTS = "supports", _("Supports the claim")
    REFUTES = "refutes", _("Refutes the claim")
    CONTEXT = "context", _("Gives context")


class Source(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("URL"), max_length=2000, validators=[web_url_validator])
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    accessed_on = models.DateField(_("date accessed"), null=True, blank=True)
    excerpt = models.TextField(blank=True, max_length=2000)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.CONTEXT)
    archive_url = models.URLField(
        _("archived copy URL"), max_length=2000, blank=True, validators=[web_url_validator]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["claim", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def snapshot(self) -> dict:
        """The source as a published version freezes it."""
        return {
            "url": self.url,
            "title": self.title,
            "publisher": self.publisher,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "accessed_on": self.accessed_on.isoformat() if self.accessed_on else None,
            "excerpt": self.excerpt,
            "stance": self.stance,
            "archive_url": self.archive_url,
        }


class ImmutableModel(models.Model):
    """A record that is written once: no update, no delete, from code or the admin."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(f"{type(self).__name__} records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} records cannot be deleted.")


class ClaimVersion(ClaimantShown, ImmutableModel):
    """A verdict as a reviewer approved it: what the public pages show, frozen."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    statement = models.CharField(_("claim"), max_length=500)
    claimant = models.CharField(max_length=200)
    # Blank for a version approved before the kind was recorded.
    claimant_kind = models.CharField(max_length=12, blank=True, choices=ClaimantKind.choices)
    claim_date = models.DateField(null=True, blank=True)
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="+")
    rating_label = models.CharField(max_length=100)  # in the newsroom's language
    # The label in each other language, as the scale said it at approval
    # ({"en": "True"}): readers in any language see a label that was approved.
    rating_label_translations = models.JSONField(default=dict, blank=True)
    rating_value = models.PositiveSmallIntegerField(null=True, blank=True)
    ruling = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    # The text `start`/`end` point into (None for versions approved before revisions).
    revision = models.ForeignKey(
        "ArticleRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sources = models.JSONField(default=list)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField()
    correction_kind = models.CharField(max_length=12, blank=True, choices=CorrectionKind.choices)
    correction_text = models.TextField(blank=True)

    class Meta:
        ordering = ["claim", "number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="one_version_number")
        ]
        # "Recently published": what a reviewer approved in the last two weeks, from
        # the index alone.
        indexes = [
            models.Index(
                fields=["approved_by", "approved_at", "claim"], name="version_approver_recent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} v{self.number}"

    def label_in(self, language: str | None = None) -> scale_i18n.Shown:
        """The approved label in `language` (default: the interface's), or the newsroom's."""
        return scale_i18n.shown_label(self.rating_label, self.rating_label_translations, language)


class ArticleRevision(ImmutableModel):
    """One state of an article's body, written once by `claims.revisions`.

    The article's `body` is always its latest revision's; claims point into it.
    `outcome` counts what re-anchoring did to the claims: {"kept": 41, ...}.
    """

    # An article can only be deleted without claims (Claim.article is PROTECT);
    # its texts go with it.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    sha256 = models.CharField(max_length=64)
    reason = models.CharField(max_length=12, choices=RevisionReason.choices)
    note = models.CharField(_("why"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="one_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    ANCHOR_MOVED = "anchor_moved", _("Highlight moved")
    # The machine re-anchored the claim after a revision of the article's text.
    REANCHORED = "reanchored", _("Re-anchored after the text changed")
    ASSIGNED = "assigned", _("Assigned")
    SUBMITTED = "submitted", _("Submitted for review")
    REVIEW_TAKEN = "review_taken", _("Review taken")
    REVIEW_RELEASED = "review_released", _("Review released")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved and published")
    UPDATE_STARTED = "update_started", _("Update started")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DELETED = "deleted", _("Deleted")


# Events that make their author a contributor (four-eyes rule).
CONTENT_CHANGE_KINDS = [EventKind.CREATED, EventKind.EDITED, EventKind.ANCHOR_MOVED]


class ReviewEvent(ImmutableModel):
    """The audit trail: one row per transition or change, never edited.

    Events outlive their claim: deleting a claim sets `claim` to NULL (the
    one change an event ever undergoes, made by the database's cascade, not
    by `save()`), `claim_ref` keeps which claim it was, and the claim's
    deletion event holds a snapshot of what was deleted.
    """

    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    claim_ref = models.PositiveIntegerField(_("claim id"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True, choices=ClaimStatus.choices)
    to_status = models.CharField(max_length=20, blank=True, choices=ClaimStatus.choices)
    comment = models.TextField(blank=True)
    # What an edit changed, old and new values (claims/audit.py describes the shape).
    changes = models.JSONField(default=dict, blank=True)
    # The whole claim as it stood at a transition (what a reviewer saw), or
    # as it was deleted: the review screen diffs against it.
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["claim_ref", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.claim_ref})"

    def save(self, *args, **kwargs):
        if self.claim_ref is None and self.claim_id is not None:
            self.claim_ref = self.claim_id
        super().save(*args, **kwargs)

    @property
    def shown_comment(self) -> str:
        """The comment as the timeline shows it: a re-anchoring's records the outcome."""
        if self.kind == EventKind.REANCHORED and self.comment in AnchorStatus.values:
            return str(AnchorStatus(self.comment).label)
        return self.comment

    @property
    def change_rows(self):
        """What changed, old and new, row by row, in the interface language."""
        from .audit import change_rows

        return change_rows(self.changes)


# -- shared work: notes and notifications ---------------------------------------------------


class Note(ImmutableModel):
    """An internal note on a claim, or a reply to one (one level): never public, never exported.

    Notes are discussion, not content: they change nothing a reviewer judges, so
    they do not count for the four-eyes rule and bump no version. They go with
    their claim (only a never-published draft can be deleted).
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim", "created_at", "pk"]
        indexes = [models.Index(fields=["claim", "created_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} note {self.pk}"

    is_note = True  # the timeline lists notes among events


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    ASSIGNED = "assigned", _("Assigned")
    MENTIONED = "mentioned", _("Mentioned")
    REPLIED = "replied", _("Replied")
    DEADLINE = "deadline", _("Deadline near")


class Notification(models.Model):
    """One notice in a desk user's bell (claims/inbox.py writes them)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The deadline a DEADLINE notice was about: one notice per claim per deadline.
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's count on every desk page: a partial index of unread notices.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "due_on"],
                condition=models.Q(kind="deadline"),
                name="one_deadline_notice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"


class EmailChoice(models.TextChoices):
    WORKFLOW = (
        "workflow",
        _("For the review workflow only (submitted, changes requested, published)"),
    )
    ALL = "all", _("For every notification")
    NONE = "none", _("Never: notifications in the desk only")


class NotificationSettings(models.Model):
    """A desk user's choice of email; no row means the default (today's emails)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    email = models.CharField(
        _("Email me"), max_length=10, choices=EmailChoice.choices, default=EmailChoice.WORKFLOW
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class PublicStamp(models.Model):
    """One row that moves whenever something readers see changes (claims/public/freshness.py).

    Database triggers (migration 0018) bump `generation` in the transaction of
    every insert, update or delete of an article or a published version, and
    of every update of a claim that has or had one, whatever made the change:
    the services, the admin, the demo loader, a shell. `epoch` is drawn when
    the row is created, so a table emptied and refilled never repeats a stamp.
    """

    generation = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.epoch}:{self.generation}"
