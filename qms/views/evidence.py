"""Evidence by ISO 9001 clause for a period (issue 21): the page, its PDF and its ZIP of
CSVs. Quality managers and read-only viewers read it (auditors); nobody else."""

from django import forms
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from ..evidence import evidence, period_choices
from ..evidence_pack import (
    RENDERERS,
    evidence_pack_request,
    inline_max,
    pack_filename,
    pack_size,
)
from ..models import EvidencePack
from ..permissions import ViewAllRequiredMixin
from ..registry import Period

CONTENT_TYPES = {
    EvidencePack.Format.PDF: "application/pdf",
    EvidencePack.Format.ZIP: "application/zip",
}


class EvidencePeriodForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices()
        self.fields["period"].widget.attrs["class"] = "form-select"

    def period_label(self) -> str:
        if self.is_valid():
            return self.cleaned_data["period"]
        return self.fields["period"].choices[0][0]


def _period_label(request) -> str:
    form = EvidencePeriodForm(request.GET or None)
    return form.period_label()


class EvidenceView(ViewAllRequiredMixin, TemplateView):
    template_name = "qms/evidence.html"

    def get_context_data(self, **kwargs):
        form = EvidencePeriodForm(self.request.GET or None)
        label = form.period_label()
        if not form.is_bound:
            form = EvidencePeriodForm(initial={"period": label})
        period = Period.parse(label)
        clauses = evidence.compute(period=period)
        size = pack_size(clauses)
        packs = list(
            EvidencePack.objects.filter(period_label=label).order_by("-created_at", "-id")[:6]
        )
        return super().get_context_data(
            form=form,
            period_label=label,
            period=period,
            clauses=clauses,
            gap_count=sum(c["gaps"] for c in clauses),
            pack_rows=size,
            background=size > inline_max(),
            packs=packs,
            refresh=any(p.state in EvidencePack.PENDING_STATES for p in packs),
            **kwargs,
        )


class EvidenceDownloadView(ViewAllRequiredMixin, View):
    """GET ?period=&format=pdf|zip: the pack at once when small; when large, a worker
    builds it (one pack per period, format and language at a time) and the page offers
    it when ready."""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "")
        if fmt not in EvidencePack.Format.values:
            raise Http404
        label = _period_label(request)
        language = translation.get_language()
        size = pack_size(evidence.compute(period=Period.parse(label), limit=0))
        if size > inline_max():
            evidence_pack_request(
                actor=request.user, period_label=label, fmt=fmt, language=language
            )
            from django.contrib import messages

            messages.info(
                request,
                _(
                    "The pack has %(rows)d rows: it is being prepared in the background. "
                    "This page offers it for download when it is ready."
                )
                % {"rows": size},
            )
            return redirect(reverse("qms:evidence") + f"?period={label}#packs")
        data = RENDERERS[fmt](period_label=label, language=language)
        response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{pack_filename(label, fmt)}"'
        return response


class EvidencePackFileView(ViewAllRequiredMixin, View):
    """The file of a pack built in the background."""

    def get(self, request, *args, **kwargs):
        try:
            pack = EvidencePack.objects.get(pk=kwargs["pk"], state=EvidencePack.State.DONE)
        except (EvidencePack.DoesNotExist, ValueError):
            raise Http404 from None
        if not pack.file:
            raise Http404
        return FileResponse(
            pack.file.open("rb"),
            as_attachment=True,
            filename=pack_filename(pack.period_label, pack.format),
            content_type=CONTENT_TYPES[pack.format],
        )
