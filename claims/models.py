"""The fact-checking domain: articles, claims anchored in them, sources, the rating scale."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from .anchoring import Anchor
from .validators import language_tag_validator, validate_hex_colour, web_url_validator


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

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=False)
    outlet = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=200, blank=True)
    url = models.URLField(
        "original URL", max_length=2000, blank=True, validators=[web_url_validator]
    )
    language = models.CharField(max_length=35, default="fr", validators=[language_tag_validator])
    published_on = models.DateField("publication date", null=True, blank=True)
    image_caption = models.CharField(max_length=500, blank=True)
    image_credit = models.CharField(max_length=200, blank=True)
    # Canonical plain text (claims/text.py): every claim's offsets point into it.
    body = models.TextField()
    # Sentence spans [[start, end], ...] of the body, computed once when the
    # body is set: the annotating screen needs them on every request.
    sentences = models.JSONField(default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("desk:article", args=[self.pk])

    def assign_unique_slug(self, *, random_suffix: bool = False) -> None:
        """The title's slug, numbered when taken (one query whatever the count)."""
        base = slugify(self.title)[:100] or "article"
        if random_suffix:
            self.slug = f"{base}-{secrets.token_hex(3)}"
            return
        taken = set(
            Article.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        self.slug = slug


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Claim(models.Model):
    """A passage of an article turned into a checkable claim.

    The anchor follows the W3C Web Annotation selectors: a TextPositionSelector
    (start, end in code points of the article body) and a TextQuoteSelector
    (exact text with up to 32 characters of context either side).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)

    statement = models.CharField("claim", max_length=500, blank=True)
    claimant = models.CharField(max_length=200, blank=True)
    claim_date = models.DateField("date of the claim", null=True, blank=True)
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, verbose_name="verdict"
    )
    ruling = models.TextField(blank=True)

    status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, db_index=True
    )
    # Optimistic locking: every save of the claim or its sources bumps it, and
    # a save that started from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    last_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "start", "end", "pk"]
        indexes = [models.Index(fields=["article", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="claim_nonempty_anchor"
            )
        ]
        permissions = [("review_claim", "Can approve and publish or request changes")]

    def __str__(self) -> str:
        return self.statement or self.exact[:80]

    def get_absolute_url(self) -> str:
        return reverse("desk:article", args=[self.article_id]) + f"?claim={self.pk}"

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.start, self.end, self.exact, self.prefix, self.suffix)

    def set_anchor(self, anchor: Anchor) -> None:
        self.start, self.end = anchor.start, anchor.end
        self.exact, self.prefix, self.suffix = anchor.exact, anchor.prefix, anchor.suffix

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
    SUPPORTS = "supports", "Supports the claim"
    REFUTES = "refutes", "Refutes the claim"
    CONTEXT = "context", "Gives context"


class Source(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField("URL", max_length=2000, validators=[web_url_validator])
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    accessed_on = models.DateField("date accessed", null=True, blank=True)
    excerpt = models.TextField(blank=True, max_length=2000)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.CONTEXT)
    archive_url = models.URLField(
        "archived copy URL", max_length=2000, blank=True, validators=[web_url_validator]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["claim", "order", "pk"]

    def __str__(self) -> str:
        return self.title
