"""The customer's side: the personal survey link. No login, no JavaScript needed, in the
customer's language. Every outcome is a friendly page with an honest status code:
unknown or tampered link 404, expired or used link 410, too many requests 429."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from qms.exceptions import ApplicationError
from surveys.models import Survey
from surveys.selectors import version_questions

from . import answering, ratelimit, services
from .models import Invitation

logger = logging.getLogger(__name__)
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _render(request, template, context=None, status=200):
    return render(request, f"satisfaction/public/{template}", context or {}, status=status)


class PublicLinkMixin:
    """Rate limit, resolve the token, and speak the customer's language.

    No CSRF cookie: the unguessable token in the URL is what authorises a request (a
    cross-site form cannot know it), and many in-app mail browsers block cookies, which
    would otherwise turn a customer's submit into a 403.
    """

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        if ratelimit.is_limited(request, token):
            return _render(request, "too_many.html", status=429)
        link = services.link_resolve(token=token)
        if link is None:
            # Nothing says which language the customer reads: both, unless one is asked.
            requested = request.GET.get("lang")
            languages = [requested] if requested in LANGUAGE_CODES else ["en", "zh-hans"]
            return _render(
                request,
                "not_found.html",
                {"page_languages": languages, "language": languages[0]},
                status=404,
            )
        self.token = token
        self.invitation = link.invitation
        requested = request.POST.get("lang") or request.GET.get("lang")
        self.language = (
            requested if requested in LANGUAGE_CODES else self.invitation.language or "en"
        )
        request.LANGUAGE_CODE = self.language
        # For this response only: the thread's language is left as it was found.
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = self.language
        return response

    def base_context(self, **extra):
        version = self.invitation.wave.survey_version
        survey = version.survey
        return {
            "survey": survey,
            "survey_title": survey.title_in(self.language),
            "thanks": version.thanks(self.language),
            "token": self.token,
            "language": self.language,
            "other_language": "zh-hans" if self.language == "en" else "en",
            **extra,
        }


class RespondView(PublicLinkMixin, View):
    """GET shows the questionnaire (with saved answers); POST saves or submits it."""

    def questions(self):
        return version_questions(version=self.invitation.wave.survey_version)

    def page(
        self,
        request,
        questions,
        draft,
        errors=None,
        saved=False,
        status=200,
        form_error="",
        retry_error="",
    ):
        version = self.invitation.wave.survey_version
        errors = errors or {}
        return _render(
            request,
            "respond.html",
            self.base_context(
                version=version,
                intro=version.intro(self.language),
                questions=answering.views(questions, draft, errors, self.language),
                errors=errors,
                form_error=form_error,
                retry_error=retry_error,
                saved=saved,
                anonymous=version.survey.identity_mode == Survey.IdentityMode.ANONYMOUS,
            ),
            status=status,
        )

    def closed_page(self, request):
        if self.invitation.state == Invitation.State.COMPLETED:
            return _render(request, "used.html", self.base_context(), status=410)
        if services.invitation_is_expired(self.invitation):
            return _render(request, "expired.html", self.base_context(), status=410)
        return None

    def get(self, request, *args, **kwargs):
        closed = self.closed_page(request)
        if closed is not None:
            return closed
        services.invitation_mark_opened(invitation=self.invitation)
        return self.page(request, self.questions(), self.invitation.draft_answers or {})

    def answered_before(self, request, questions, draft, *, submitted: bool):
        """The link was used already. A retry of the same answers (a double click) is
        thanked; different answers (a stale second tab) are told the truth: not saved,
        the first answers are kept."""
        if submitted and services.response_is_stored(
            invitation=self.invitation, questions=questions, draft=draft
        ):
            return _render(request, "thanks.html", self.base_context())
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"saved": False, "already_answered": True}, status=409)
        return _render(request, "answered_before.html", self.base_context(), status=409)

    def post(self, request, *args, **kwargs):
        submitted = request.POST.get("action") == "submit"
        if self.invitation.state == Invitation.State.COMPLETED:
            questions = self.questions()
            draft, _errors = answering.parse(questions, request.POST)
            return self.answered_before(request, questions, draft, submitted=submitted)
        if services.invitation_is_expired(self.invitation):
            return _render(request, "expired.html", self.base_context(), status=410)
        questions = self.questions()
        draft, errors = answering.parse(questions, request.POST)
        is_fetch = request.headers.get("X-Requested-With") == "fetch"
        if not submitted:
            services.response_save_draft(invitation=self.invitation, draft=draft)
            if is_fetch:
                return JsonResponse({"saved": True})
            return self.page(request, questions, draft, errors, saved=not errors)
        form_error = ""
        if not errors:
            try:
                _response, created = services.response_submit(
                    invitation=self.invitation, questions=questions, draft=draft
                )
            except ApplicationError as exc:
                errors, form_error = exc.extra, str(exc)
            except DatabaseError:
                # The submit's transaction rolled back (nothing half-stored): the customer
                # gets their answers back in the form and a request to try again.
                logger.exception("Survey submit failed on the database; answers kept in the form")
                return self.page(
                    request,
                    questions,
                    draft,
                    status=503,
                    retry_error=_(
                        "We could not save your answers just now. They are still in the "
                        "form below: please send them again in a moment."
                    ),
                )
            else:
                if not created:  # another tab submitted first, a moment ago
                    return self.answered_before(request, questions, draft, submitted=True)
                return _render(request, "thanks.html", self.base_context())
        services.response_save_draft(invitation=self.invitation, draft=draft)
        return self.page(request, questions, draft, errors, form_error=form_error)


class OptOutView(PublicLinkMixin, View):
    def get(self, request, *args, **kwargs):
        return _render(request, "opt_out.html", self.base_context())

    def post(self, request, *args, **kwargs):
        services.invitation_opt_out(invitation=self.invitation)
        return _render(request, "opted_out.html", self.base_context())


class TrialRespondView(View):
    """The page of a test invitation's link (services.trials): the customer's page of
    the version in the link's language; answers are checked, never stored."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        if ratelimit.is_limited(request, kwargs["token"]):
            return _render(request, "too_many.html", status=429)
        found = services.trial_resolve(token=kwargs["token"])
        if found is None:
            return _render(request, "not_found.html", status=404)
        self.version, link_language = found
        requested = request.POST.get("lang") or request.GET.get("lang")
        self.language = requested if requested in LANGUAGE_CODES else link_language
        request.LANGUAGE_CODE = self.language
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = self.language
        return response

    def context(self, **extra):
        survey = self.version.survey
        return {
            "survey": survey,
            "survey_title": survey.title_in(self.language),
            "thanks": self.version.thanks(self.language),
            "version": self.version,
            "language": self.language,
            "other_language": "zh-hans" if self.language == "en" else "en",
            "trial": True,
            **extra,
        }

    def page(self, request, draft, errors, saved=False):
        questions = version_questions(version=self.version)
        return _render(
            request,
            "respond.html",
            self.context(
                intro=self.version.intro(self.language),
                questions=answering.views(questions, draft, errors, self.language),
                errors=errors,
                saved=saved,
                anonymous=self.version.survey.identity_mode == Survey.IdentityMode.ANONYMOUS,
            ),
        )

    def get(self, request, *args, **kwargs):
        return self.page(request, {}, {})

    def post(self, request, *args, **kwargs):
        questions = version_questions(version=self.version)
        draft, errors = answering.parse(questions, request.POST)
        if request.POST.get("action") != "submit":
            return self.page(request, draft, errors, saved=not errors)
        if not errors:
            errors = answering.validate(questions, draft)
        if errors:
            return self.page(request, draft, errors)
        return _render(request, "thanks.html", self.context())
