"""The management review pack as a PDF file: xhtml2pdf renders a print template, with a
TrueType font that has Chinese glyphs when one is configured or installed."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .models import ManagementReview
from .review import review_pack

TEMPLATE_NAME = "qms/review_pdf.html"

# TrueType fonts with Chinese glyphs, where Debian's packages put them
# (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-droid-fallback).
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def pdf_font_path() -> str:
    """The font for PDF text: QMS_PDF_FONT if set, else the first CJK font found, else ""
    (Helvetica, which has no Chinese glyphs)."""
    configured = getattr(settings, "QMS_PDF_FONT", "")
    if configured:
        return configured if os.path.isfile(configured) else ""
    return next((path for path in CJK_FONT_CANDIDATES if os.path.isfile(path)), "")


def review_pdf_render(*, review: ManagementReview, language: str) -> bytes:
    """The review pack (`qms.review.review_pack`) as the bytes of a PDF file, in
    `language`. Raises ApplicationError if xhtml2pdf reports an error."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    with translation.override(language):
        context = review_pack(review=review)
        context["pdf_font"] = font = pdf_font_path()
        html = render_to_string(TEMPLATE_NAME, context)
        buffer = BytesIO()
        # Nothing remote, and local reads only from the font's own folder.
        policy = ResourceAccessPolicy(
            allow_remote=False, base_dir=Path(font).parent if font else settings.BASE_DIR
        )
        result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8", resource_policy=policy)
        if result.err:
            raise ApplicationError(_("The PDF could not be produced."))
    return buffer.getvalue()
