"""The organisation's branding (docs/architecture.md section 2): its name, logo, main
colour and contact, read from the one `Branding` row through the cache, and changed by
the quality manager through `branding_update`.

The main colour is the customer-facing accent; the text drawn on it is black or white,
whichever contrasts more. For any colour the better of the two reaches at least 4.58:1,
so the pair always passes WCAG AA for normal text (4.5:1) whatever colour is picked.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Branding

CACHE_KEY = "qms-branding-v1"
DEFAULT_COLOUR = "#0b5ed7"
LOGO_MAX_BYTES = 300 * 1024
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
BRANDING_FIELDS = {"name", "main_colour", "contact_email", "contact_phone"}


def _luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.x) of `#rrggbb`."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on `background`."""
    black, white = contrast_ratio(background, "#000000"), contrast_ratio(background, "#ffffff")
    return "#ffffff" if white >= black else "#000000"


def accent_on_white(colour: str) -> str:
    """The main colour, darkened just enough to read as text on white (4.5:1): for the
    outlines and labels of the survey's answer buttons."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    while contrast_ratio(f"#{red:02x}{green:02x}{blue:02x}", "#ffffff") < 4.5:
        red, green, blue = (int(c * 0.9) for c in (red, green, blue))
    return f"#{red:02x}{green:02x}{blue:02x}"


@dataclass(frozen=True)
class Brand:
    name: str
    colour: str
    text_colour: str
    contact_email: str
    contact_phone: str
    has_logo: bool
    version: int  # changes with every edit: cache-busting for the logo and the CSS

    @property
    def accent(self) -> str:
        return accent_on_white(self.colour)

    @property
    def contrast(self) -> float:
        return round(contrast_ratio(self.colour, self.text_colour), 1)


def current() -> Brand:
    """The branding, from the cache (one query after each change)."""
    brand = cache.get(CACHE_KEY)
    if brand is None:
        row = (
            Branding.objects.filter(pk=1)
            .values_list(
                "name", "main_colour", "contact_email", "contact_phone", "logo_type", "updated_at"
            )
            .first()
        )
        name, colour, email, phone, logo_type, updated = row or (
            "",
            DEFAULT_COLOUR,
            "",
            "",
            "",
            None,
        )
        brand = Brand(
            name=name,
            colour=colour,
            text_colour=text_colour_on(colour),
            contact_email=email,
            contact_phone=phone,
            has_logo=bool(logo_type),
            version=int(updated.timestamp()) if updated else 0,
        )
        cache.set(CACHE_KEY, brand, 300)
    return brand


def logo() -> tuple[bytes, str] | None:
    row = Branding.objects.filter(pk=1).exclude(logo_type="").values_list("logo", "logo_type")
    row = row.first()
    return (bytes(row[0]), row[1]) if row else None


def read_logo(upload) -> tuple[bytes, str]:
    """The bytes and content type of an uploaded logo: a PNG, JPEG, WebP or GIF image of
    at most 300 KB, checked by decoding it (not by its name), so nothing else is served
    as the logo. SVG is refused: it can carry scripts."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)d KB; at most %(max)d KB, please.")
            % {"size": upload.size // 1024, "max": LOGO_MAX_BYTES // 1024}
        )
    data = upload.read()
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The logo must be a PNG, JPEG, WebP or GIF image.")) from exc
    if kind not in LOGO_TYPES:
        raise ValidationError(_("The logo must be a PNG, JPEG, WebP or GIF image."))
    return data, LOGO_TYPES[kind]


@transaction.atomic
def branding_update(*, logo_upload=None, remove_logo: bool = False, **fields) -> Branding:
    unknown = set(fields) - BRANDING_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    branding, _created = Branding.objects.select_for_update().get_or_create(pk=1)
    for name, value in fields.items():
        setattr(branding, name, value)
    if logo_upload is not None:
        branding.logo, branding.logo_type = read_logo(logo_upload)
    elif remove_logo:
        branding.logo, branding.logo_type = b"", ""
    branding.main_colour = branding.main_colour.lower()
    branding.full_clean()
    branding.save()
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    cache.delete(CACHE_KEY)
    return branding
