"""The verdict card of a published claim, as a download for the social-media desk."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from ..card_cache import card_png
from ..cards import card_for_version
from ..models import Claim, ClaimStatus
from .access import desk_view


@require_GET
@desk_view()
def card(request, claim_id: int):
    """The card readers' social networks show: the published version's, never the draft's."""
    claim = (
        Claim.objects.select_related("current_version__rating", "current_version__claim__article")
        .filter(pk=claim_id, current_version__isnull=False)
        .exclude(status=ClaimStatus.WITHDRAWN)
        .first()
    )
    if claim is None or not claim.slug:
        raise Http404("No published verdict.")
    _key, png = card_png(card_for_version(claim.current_version))
    response = HttpResponse(png, content_type="image/png")
    filename = f"{claim.slug}-v{claim.current_version.number}.png"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
