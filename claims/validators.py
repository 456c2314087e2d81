"""Field validators shared by models and forms."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.utils.translation import gettext_lazy as _

# Only web links: `javascript:`, `data:`, `file:` and every other scheme would
# either run code in a reader's browser or point at nothing they can open.
web_url_validator = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a full web address starting with http:// or https://."),
)

# BCP 47, loosely: a primary language subtag and optional subtags
# ("fr", "fr-CA", "zh-Hant-TW"). Enough to put in <html lang> safely.
language_tag_validator = RegexValidator(
    regex=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    message=_("Enter a language tag such as fr, en or fr-CA."),
)

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_hex_colour(value: str) -> None:
    if not _HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Enter a colour as #rrggbb."))
