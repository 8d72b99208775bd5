"""A collector's QR code (segno) and its printable poster (xhtml2pdf, the project's PDF
library, with the review pack's font rules: a CJK font when one is installed, so the
Chinese call to action prints). Rendering a document is a service (section 3)."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from qms import branding
from qms.exceptions import ApplicationError
from qms.review_pdf import pdf_font_path
from satisfaction.services import base_url

from .models import Collector

POSTER_SIZES = {"a5": "A5", "a6": "A6"}


def collector_url(collector: Collector) -> str:
    """The short URL the QR code carries: /p/<code>/ on the portal's public address."""
    return base_url() + reverse("place:answer", args=[collector.code])


def collector_qr(collector: Collector):
    """The QR code of the collector's short URL (error correction M: survives a smudge)."""
    return segno.make(collector_url(collector), error="m", micro=False)


def collector_qr_svg(collector: Collector) -> bytes:
    out = io.BytesIO()
    collector_qr(collector).save(out, kind="svg", scale=8, border=4, xmldecl=True)
    return out.getvalue()


def collector_poster_pdf(collector: Collector, *, size: str = "a5") -> bytes:
    """A printable poster: the organisation's name, the place, the call to action in
    English and Chinese, the QR code and the short URL. Raises ApplicationError if the
    PDF cannot be produced."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    if size not in POSTER_SIZES:
        raise ApplicationError(_("Choose A5 or A6."))
    brand = branding.current()
    survey = collector.survey_version.survey
    font = pdf_font_path()
    context = {
        "page_size": size,
        "organisation": brand.name or survey.title,
        "place": collector.place.name,
        "title_en": survey.title_in("en"),
        "title_zh": survey.title_in("zh-hans"),
        "url": collector_url(collector),
        "qr": collector_qr(collector).png_data_uri(scale=10, border=2),
        "pdf_font": font,
    }
    with translation.override("en"):
        context["cta_en"] = _("Scan to tell us how we did. It takes one minute.")
    with translation.override("zh-hans"):
        context["cta_zh"] = _("Scan to tell us how we did. It takes one minute.")
    html = render_to_string("places/poster.html", context)
    buffer = io.BytesIO()
    policy = ResourceAccessPolicy(
        allow_remote=False, base_dir=Path(font).parent if font else settings.BASE_DIR
    )
    result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8", resource_policy=policy)
    if result.err:
        raise ApplicationError(_("The PDF could not be produced."))
    return buffer.getvalue()
