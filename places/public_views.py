"""The customer's side of a place: the short URL a QR code carries (/p/<code>/). No login,
no JavaScript needed, in the customer's language; anonymous unless the customer leaves
contact details and agrees to be contacted.

No CSRF cookie, as on the personal links (satisfaction/public_views.py): the form only
adds a walk-in's answers, which anyone with the poster may do anyway, and in-app
browsers that block cookies would turn a submit into a 403. What guards it is in
places/abuse.py and the service's suspect rules."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from qms.clientip import client_ip
from qms.exceptions import ApplicationError
from satisfaction import answering
from surveys.models import Survey
from surveys.selectors import version_questions

from . import abuse, receipts, selectors, services

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _read_only(request) -> bool:
    """A signed-in read-only viewer (an auditor) writes nothing, not even on a public
    page; customers are not signed in."""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and user.can_view_all
        and not user.is_quality_manager
    )


class PlaceAnswerView(View):
    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        requested = request.POST.get("lang") or request.GET.get("lang")
        fallback = getattr(request, "LANGUAGE_CODE", "en")
        self.language = requested if requested in LANGUAGE_CODES else fallback
        if self.language not in LANGUAGE_CODES:
            self.language = "en"
        request.LANGUAGE_CODE = self.language
        with translation.override(self.language):
            self.collector = selectors.collector_by_code(code=kwargs["code"])
            if self.collector is None:
                response = self.render(request, "not_found.html", status=404, both=True)
            elif not self.collector.active:
                response = self.render(request, "closed.html", status=410)
            else:
                response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = self.language
        return response

    def render(self, request, template, context=None, status=200, both=False):
        context = dict(context or {})
        context.setdefault("language", self.language)
        context.setdefault("other_language", "zh-hans" if self.language == "en" else "en")
        if both:
            context["page_languages"] = ["en", "zh-hans"]
        collector = getattr(self, "collector", None)
        if collector is not None:
            survey = collector.survey_version.survey
            context.setdefault("survey", survey)
            context.setdefault("survey_title", survey.title_in(self.language))
            context.setdefault("place", collector.place)
            context.setdefault("thanks", collector.survey_version.thanks(self.language))
        return render(request, f"places/public/{template}", context, status=status)

    def page(self, request, draft, errors, *, contact=None, form_error="", status=200):
        version = self.collector.survey_version
        questions = version_questions(version=version)
        return self.render(
            request,
            "answer.html",
            {
                "intro": version.intro(self.language),
                "questions": answering.views(questions, draft, errors, self.language),
                "errors": errors,
                "form_error": form_error,
                "anonymous": version.survey.identity_mode == Survey.IdentityMode.ANONYMOUS,
                "contact": contact or {},
                "honeypot": abuse.HONEYPOT,
                "receipt": getattr(self, "receipt_fields", None),
            },
            status=status,
        )

    def receipt(self, request):
        """For a collector that needs a receipt code: (receipt, None) when the code given
        (typed, or in the receipt's QR code as ?r=&o=) opens the survey, else (None, the
        page asking for it)."""
        code = request.POST.get("receipt_code") or request.GET.get("r") or ""
        order_ref = request.POST.get("receipt_ref") or request.GET.get("o") or ""
        self.receipt_fields = {"code": receipts.normalise(code), "ref": order_ref.strip()[:80]}
        if not code:
            return None, self.render(request, "receipt.html", {"receipt": self.receipt_fields})
        try:
            return receipts.receipt_check(
                collector=self.collector, code=code, order_ref=order_ref
            ), None
        except receipts.ReceiptProblem as exc:
            return None, self.receipt_problem(request, exc)

    def receipt_problem(self, request, exc):
        status = 404 if exc.kind == "unknown" else 410
        return self.render(
            request,
            "receipt.html",
            {"receipt": self.receipt_fields, "receipt_error": str(exc)},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        if self.collector.receipt_required:
            receipt, problem = self.receipt(request)
            if problem is not None:
                return problem
        elif abuse.device_used_up(request, self.collector.place_id):
            return self.render(request, "already_today.html")
        return self.page(request, {}, {})

    def post(self, request, *args, **kwargs):
        if _read_only(request):
            return self.render(request, "read_only.html", status=403)
        collector = self.collector
        if abuse.address_limited(request, collector.place_id):
            return self.render(request, "too_many.html", status=429)
        if abuse.is_robot(request):
            # Thanked like anyone, stored nowhere.
            return self.render(request, "thanks.html")
        receipt = None
        if collector.receipt_required:
            # The receipt code is the limit: once per code, whatever the device.
            receipt, problem = self.receipt(request)
            if problem is not None:
                return problem
        elif abuse.device_used_up(request, collector.place_id):
            return self.render(request, "already_today.html", status=409)
        questions = version_questions(version=collector.survey_version)
        draft, errors = answering.parse(questions, request.POST)
        anonymous = collector.survey_version.survey.identity_mode == Survey.IdentityMode.ANONYMOUS
        contact = (
            {}
            if anonymous
            else {
                "consent": request.POST.get("contact_consent") == "1",
                "name": request.POST.get("contact_name", ""),
                "email": request.POST.get("contact_email", ""),
                "phone": request.POST.get("contact_phone", ""),
            }
        )
        if not errors:
            try:
                services.place_submit(
                    collector=collector,
                    draft=draft,
                    language=self.language,
                    contact=contact,
                    address=services.address_key(client_ip(request)),
                    receipt=receipt,
                )
            except receipts.ReceiptProblem as exc:
                return self.receipt_problem(request, exc)
            except ApplicationError as exc:
                errors, form_error = exc.extra or {}, str(exc)
                return self.page(request, draft, errors, contact=contact, form_error=form_error)
            response = self.render(request, "thanks.html")
            abuse.device_count(request, response, collector.place_id)
            return response
        return self.page(request, draft, errors, contact=contact)


class KioskView(View):
    """A tablet at the exit, locked to one collector by its device token (in the URL):
    the survey starts over after each answer with a short thank-you screen, keeps no
    answer in the browser's storage, and queues answers in the page while the network
    is down (static/places/js/kiosk.js); each is sent with an idempotency key, so a retry
    is stored once. Without JavaScript the form posts and a thank-you page links back."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        requested = request.POST.get("lang") or request.GET.get("lang")
        self.language = requested if requested in LANGUAGE_CODES else "en"
        request.LANGUAGE_CODE = self.language
        with translation.override(self.language):
            self.device = services.kiosk_resolve(token=kwargs["token"])
            is_fetch = request.headers.get("X-Requested-With") == "fetch"
            if self.device is None or not self.device.collector.active:
                if is_fetch:
                    response = JsonResponse({"ok": False, "revoked": True}, status=410)
                else:
                    response = render(
                        request,
                        "places/public/kiosk_off.html",
                        {"language": self.language, "page_languages": ["en", "zh-hans"]},
                        status=410,
                    )
            else:
                response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = self.language
        response.headers["Cache-Control"] = "no-store"
        return response

    def context(self, **extra):
        collector = self.device.collector
        version = collector.survey_version
        survey = version.survey
        return {
            "survey": survey,
            "survey_title": survey.title_in(self.language),
            "place": collector.place,
            "thanks": version.thanks(self.language),
            "language": self.language,
            "other_language": "zh-hans" if self.language == "en" else "en",
            **extra,
        }

    def get(self, request, *args, **kwargs):
        questions = version_questions(version=self.device.collector.survey_version)
        return render(
            request,
            "places/public/kiosk.html",
            self.context(
                intro=self.device.collector.survey_version.intro(self.language),
                questions=answering.views(questions, {}, {}, self.language),
                required=",".join(q.code for q in questions if q.required),
            ),
        )

    def post(self, request, *args, **kwargs):
        if _read_only(request):
            return JsonResponse({"ok": False}, status=403)
        is_fetch = request.headers.get("X-Requested-With") == "fetch"
        questions = version_questions(version=self.device.collector.survey_version)
        draft, errors = answering.parse(questions, request.POST)
        if not errors:
            try:
                _row, created = services.kiosk_submit(
                    device=self.device,
                    draft=draft,
                    language=self.language,
                    idempotency_key=request.POST.get("idem") or secrets.token_hex(16),
                )
            except ApplicationError as exc:
                errors = exc.extra or {"": str(exc)}
            else:
                if is_fetch:
                    return JsonResponse({"ok": True, "stored": created})
                return render(request, "places/public/kiosk_thanks.html", self.context())
        if is_fetch:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return render(
            request,
            "places/public/kiosk.html",
            self.context(
                questions=answering.views(questions, draft, errors, self.language),
                errors=errors,
                required=",".join(q.code for q in questions if q.required),
            ),
            status=200,
        )
