"""Test invitations: the quality manager receives the real invitation e-mail of a survey
version, with a link marked as a test. The link opens the customer's page; answering it
checks the answers and stores nothing (no invitation, no response, no contact logged).

The token is signed, not stored: it names the version and the language and says it is a
test, so it can never be mistaken for a customer's link (those are random and looked up
by their hash), and it expires after `TRIAL_MAX_AGE`.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from qms.services import message_queue
from surveys.models import SurveyVersion

from ._common import base_url
from .sending import email_texts

TRIAL_SALT = "satisfaction.test-invitation"
TRIAL_MAX_AGE = dt.timedelta(days=7)


def trial_token(*, version: SurveyVersion, language: str) -> str:
    return signing.dumps({"v": version.pk, "l": language, "test": True}, salt=TRIAL_SALT)


def trial_resolve(*, token: str) -> tuple[SurveyVersion, str] | None:
    """The version and language of a test link, or None (unknown, tampered, expired)."""
    try:
        data = signing.loads(token, salt=TRIAL_SALT, max_age=TRIAL_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("test"):
        return None
    version = SurveyVersion.objects.select_related("survey").filter(pk=data.get("v")).first()
    if version is None:
        return None
    return version, data.get("l") or "en"


def trial_url(token: str) -> str:
    try:
        path = reverse("survey:trial", args=[token])
    except NoReverseMatch:
        path = reverse("satisfaction:trial", args=[token])
    return base_url() + path


def trial_invitation_send(*, version: SurveyVersion, user, language: str = "en"):
    """E-mail the invitation of `version` in `language` to `user`'s own address, with a
    test link. Returns the queued message."""
    if not user.email:
        raise ApplicationError(
            _("Your account has no e-mail address. Add one to your profile first.")
        )
    if language not in ("en", "zh-hans"):
        language = "en"
    subject, body = email_texts(version, language, reminder=False)
    now = timezone.now()
    token = trial_token(version=version, language=language)
    body = body % {
        "name": user.get_full_name() or user.get_username(),
        "url": trial_url(token),
        "expires": timezone.localtime(now + TRIAL_MAX_AGE).strftime("%Y-%m-%d"),
        "optout": _("(a test invitation has no opt-out link)"),
    }
    return message_queue(
        key=f"survey-test:{version.pk}:{user.pk}:{now.timestamp()}",
        kind="survey_test_invitation",
        recipient=user.email,
        subject=(_("[Test] %(subject)s") % {"subject": subject})[:200],
        body=body,
    )
