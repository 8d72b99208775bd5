"""The evidence pack of a period (issue 21): the clause evidence page as one PDF file
(xhtml2pdf, the same renderer and fonts as the management review PDF) and a ZIP of CSV
files, one per table, with every row. A small pack is built in the request; a large one
(more rows than `QMS_EVIDENCE_INLINE_MAX`) by a Celery task into an `EvidencePack` row
(`qms.build_evidence_pack`), which the page offers for download when it is ready."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .csv_export import csv_lines
from .evidence import evidence
from .exceptions import ApplicationError
from .models import EvidencePack
from .registry import Period
from .review_pdf import pdf_font_path

PDF_TEMPLATE = "qms/evidence_pdf.html"


def inline_max() -> int:
    return int(getattr(settings, "QMS_EVIDENCE_INLINE_MAX", 2000))


def pack_size(clauses) -> int:
    """Rows in the whole pack (the counts the page already has)."""
    return sum(table.count for clause in clauses for table in clause["tables"])


def evidence_pdf_render(*, period_label: str, language: str) -> bytes:
    """Every clause's tables with every row, as the bytes of a PDF in `language`."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    period = Period.parse(period_label)
    with translation.override(language):
        clauses = evidence.compute(period=period, limit=None)
        font = pdf_font_path()
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "clauses": clauses,
                "period_label": period_label,
                "period": period,
                "generated_at": timezone.now(),
                "pdf_font": font,
            },
        )
        buffer = io.BytesIO()
        policy = ResourceAccessPolicy(
            allow_remote=False, base_dir=Path(font).parent if font else settings.BASE_DIR
        )
        result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8", resource_policy=policy)
        if result.err:
            raise ApplicationError(_("The PDF could not be produced."))
    return buffer.getvalue()


def evidence_zip_render(*, period_label: str, language: str) -> bytes:
    """One CSV per table (UTF-8 with a byte-order mark, formulas guarded), every row,
    and each record's address in the portal."""
    period = Period.parse(period_label)
    base = getattr(settings, "QMS_BASE_URL", "").rstrip("/")
    buffer = io.BytesIO()
    with translation.override(language):
        clauses = evidence.compute(period=period, limit=None)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for clause in clauses:
                for table in clause["tables"]:
                    header = [_("Clause"), *[str(c) for c in table.columns], _("Address")]
                    rows = (
                        [clause["clause"], *row.cells, f"{base}{row.url}" if row.url else ""]
                        for row in table.rows
                    )
                    name = f"{clause['clause']}_{table.key}.csv"
                    archive.writestr(name, "".join(csv_lines(header, rows)))
    return buffer.getvalue()


RENDERERS = {
    EvidencePack.Format.PDF: evidence_pdf_render,
    EvidencePack.Format.ZIP: evidence_zip_render,
}


def pack_filename(period_label: str, fmt: str) -> str:
    return f"evidence-{period_label}.{fmt}"


# --- Background packs ------------------------------------------------------------------


@transaction.atomic
def evidence_pack_request(*, actor, period_label: str, fmt: str, language: str) -> EvidencePack:
    """Queue a pack for a worker; a pack of the same period, format and language still
    queued or being built is reused (a double click queues one)."""
    from .services import enqueue_on_commit

    if not getattr(actor, "can_view_all", False):
        raise ApplicationError(_("Only quality managers and viewers read the evidence pack."))
    Period.parse(period_label)
    pending = EvidencePack.objects.filter(
        period_label=period_label,
        format=fmt,
        language=language,
        state__in=EvidencePack.PENDING_STATES,
    ).first()
    if pending is not None:
        return pending
    pack = EvidencePack.objects.create(
        period_label=period_label, format=fmt, language=language, requested_by=actor
    )
    enqueue_on_commit("qms.build_evidence_pack", pack.pk)
    return pack


def evidence_pack_build(*, pack_id: int) -> str:
    """Build a queued pack (claimed with one UPDATE, so a duplicate delivery does
    nothing). Returns the pack's state."""
    claimed = EvidencePack.objects.filter(pk=pack_id, state=EvidencePack.State.QUEUED).update(
        state=EvidencePack.State.RUNNING, started_at=timezone.now()
    )
    pack = EvidencePack.objects.get(pk=pack_id)
    if not claimed:
        return pack.state
    try:
        data = RENDERERS[pack.format](period_label=pack.period_label, language=pack.language)
    except Exception as exc:  # noqa: BLE001 - recorded on the row, shown on the page
        pack.state = EvidencePack.State.FAILED
        pack.error = str(exc)[:500]
        pack.completed_at = timezone.now()
        pack.save(update_fields=["state", "error", "completed_at", "updated_at"])
        return pack.state
    pack.file.save(pack_filename(pack.period_label, pack.format), ContentFile(data), save=False)
    pack.state = EvidencePack.State.DONE
    pack.completed_at = timezone.now()
    pack.save(update_fields=["file", "state", "completed_at", "updated_at"])
    return pack.state


def evidence_packs_requeue() -> int:
    """The scanner: re-kick packs still queued a minute after they were asked for (the
    broker was down), and queue again those left running by a worker that died."""
    from .services import enqueue_on_commit

    now = timezone.now()
    stuck = EvidencePack.objects.filter(
        state=EvidencePack.State.RUNNING, started_at__lt=now - timezone.timedelta(minutes=30)
    )
    stuck.update(state=EvidencePack.State.QUEUED)
    count = 0
    for pk in EvidencePack.objects.filter(
        state=EvidencePack.State.QUEUED, created_at__lt=now - timezone.timedelta(minutes=1)
    ).values_list("pk", flat=True)[:50]:
        enqueue_on_commit("qms.build_evidence_pack", pk)
        count += 1
    return count
