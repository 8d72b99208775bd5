"""Places, their collectors, and a walk-in's submission (docs/architecture.md section 13).

The answers are stored by satisfaction's own service (`walk_in_response_store`): the same
validation, the same answer rows, the same follow-up cases. This module decides what is
around it: where and when, whether the submission looks suspect (then it is held here
and counts nowhere until a person accepts it), and who the customer is when they left
contact details and agreed to be contacted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Consent, Customer
from customers.services import consent_record, customer_create
from qms.exceptions import ApplicationError
from qms.models import Department, User
from qms.services_kit import model_update
from qms.workflow import lock
from satisfaction import answering
from satisfaction import services as satisfaction_services
from satisfaction.models import Wave
from surveys.models import SurveyVersion
from surveys.selectors import version_questions

from . import receipts
from .models import Collector, Place, PlaceResponse

PLACE_FIELDS = ("name", "department", "segment", "description")

# Suspect rules (settings may change them): more than BURST answers from one address at a
# place within the window, or more than IDENTICAL answers with the very same answers.
DEFAULT_SUSPECT = {"burst": 4, "identical": 3, "window_minutes": 10}


def suspect_rules() -> dict:
    return {**DEFAULT_SUSPECT, **getattr(settings, "PLACES_SUSPECT", {})}


def _check_place(*, name: str, department, exclude_pk=None) -> None:
    if not name.strip():
        raise ApplicationError(_("Give the place a name."))
    others = Place.objects.filter(department=department, name__iexact=name.strip())
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ApplicationError(_("This department already has a place with this name."))


@transaction.atomic
def place_create(*, name: str, department: Department, segment=None, description="") -> Place:
    _check_place(name=name, department=department)
    place = Place(
        name=name.strip(), department=department, segment=segment, description=description
    )
    place.full_clean()
    place.save()
    return place


@transaction.atomic
def place_update(*, place: Place, **fields) -> Place:
    place = lock(place)
    _check_place(
        name=fields.get("name", place.name),
        department=fields.get("department", place.department),
        exclude_pk=place.pk,
    )
    place, _changed = model_update(instance=place, fields=PLACE_FIELDS, data=fields)
    return place


def _new_code() -> str:
    # 8 characters of an unambiguous alphabet: short enough to type from a poster.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@transaction.atomic
def collector_create(
    *, place: Place, survey_version: SurveyVersion, created_by: User | None = None
) -> Collector:
    """Publish `survey_version` at `place`: a running wave of its own (which sends
    nothing: it has no invitations) holds the answers, and a short code makes the URL."""
    if survey_version.is_draft:
        raise ApplicationError(_("Publish the survey version before collecting answers with it."))
    wave = satisfaction_services.wave_create(
        survey_version=survey_version,
        created_by=created_by,
        name=_("%(place)s (place answers)") % {"place": place.name},
        kind=Wave.Kind.TRANSACTIONAL,
        segment=place.segment,
    )
    now = timezone.now()
    Wave.objects.filter(pk=wave.pk).update(
        status=Wave.Status.RUNNING, started_at=now, next_action_at=None, updated_at=now
    )
    code = _new_code()
    while Collector.objects.filter(code=code).exists():
        code = _new_code()
    return Collector.objects.create(
        place=place, survey_version=survey_version, wave=wave, code=code, created_by=created_by
    )


@transaction.atomic
def collector_stop(*, collector: Collector) -> Collector:
    """Stop collecting: the QR code then says the survey is closed."""
    collector = lock(collector)
    if not collector.active:
        raise ApplicationError(_("This collector has already stopped."))
    collector.active = False
    collector.save(update_fields=["active", "updated_at"])
    now = timezone.now()
    Wave.objects.filter(pk=collector.wave_id, status=Wave.Status.RUNNING).update(
        status=Wave.Status.CLOSED, closed_at=now, updated_at=now
    )
    return collector


# --- The walk-in's submission ------------------------------------------------------------


def address_key(address: str | None) -> str:
    """The client's address as a keyed hash: enough to count bursts, not a stored IP."""
    raw = f"{settings.SECRET_KEY}:places:{address or 'unknown'}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _answers_key(draft: dict) -> str:
    return hashlib.sha256(json.dumps(draft, sort_keys=True).encode()).hexdigest()[:32]


def _suspect_reason(*, place: Place, address: str, answers: str, now: dt.datetime) -> str:
    rules = suspect_rules()
    since = now - dt.timedelta(minutes=rules["window_minutes"])
    recent = PlaceResponse.objects.filter(place=place, submitted_at__gte=since)
    if address and recent.filter(address_key=address).count() >= rules["burst"]:
        return PlaceResponse.Reason.BURST
    if recent.filter(answers_key=answers).count() >= rules["identical"]:
        return PlaceResponse.Reason.IDENTICAL
    return ""


def clean_contact(data: dict) -> dict:
    """The contact details a walk-in left, when they agreed to be contacted and gave an
    e-mail address or a phone number; else {} (their answers stay anonymous)."""
    if not data.get("consent"):
        return {}
    email = (data.get("email") or "").strip()[:254]
    phone = (data.get("phone") or "").strip()[:40]
    name = (data.get("name") or "").strip()[:200]
    if not (email or phone):
        return {}
    return {"name": name, "email": email, "phone": phone}


def _contact_customer(contact: dict, *, place: Place, language: str) -> Customer | None:
    """The customer for the contact details: the one with this e-mail address if there
    is exactly one, else a new one; their agreement to be contacted is recorded."""
    if not contact:
        return None
    customer = None
    if contact.get("email"):
        matches = list(Customer.objects.filter(email__iexact=contact["email"])[:2])
        if len(matches) == 1:
            customer = matches[0]
    if customer is None:
        customer = customer_create(
            name=contact.get("name") or contact.get("email") or contact.get("phone"),
            email=contact.get("email", ""),
            phone=contact.get("phone", ""),
            language="zh-hans" if language.startswith("zh") else "en",
            segment=place.segment,
        )
    consent_record(
        customer=customer,
        channel=Consent.Channel.SURVEYS,
        granted=True,
        method=Consent.Method.WEB_FORM,
        note=_("Left contact details at %(place)s") % {"place": place.name},
    )
    return customer


def _store(*, collector: Collector, draft: dict, language: str, contact: dict, submitted_at):
    place = collector.place
    customer = _contact_customer(contact, place=place, language=language)
    department = place.department
    owner = department.head if department.head_id else None
    response, _case = satisfaction_services.walk_in_response_store(
        wave=collector.wave,
        questions=version_questions(version=collector.survey_version),
        draft=draft,
        language=language,
        segment_id=place.segment_id,
        department_id=department.pk,
        customer=customer,
        may_contact=customer is not None,
        submitted_at=submitted_at,
        case_owner=owner,
        place_name=place.name,
    )
    return response, customer


@transaction.atomic
def place_submit(
    *,
    collector: Collector,
    draft: dict,
    language: str,
    contact: dict | None = None,
    address: str = "",
    now: dt.datetime | None = None,
    receipt=None,
    kiosk=None,
    idempotency_key: str | None = None,
) -> PlaceResponse:
    """Store a walk-in's answers at the collector's place. Raises ApplicationError (with
    the errors per question in `extra`) when a required answer is missing. A suspect
    submission is held (its answers kept here, nothing counted) until a person decides."""
    if not collector.active:
        raise ApplicationError(_("This survey is closed."))
    if collector.receipt_required and receipt is None:
        raise ApplicationError(_("Enter the code printed on your receipt."))
    questions = version_questions(version=collector.survey_version)
    errors = answering.validate(questions, draft)
    if errors:
        raise ApplicationError(_("Some questions still need an answer."), extra=errors)
    draft = answering.visible_draft(questions, draft)
    now = now or timezone.now()
    contact = clean_contact(contact or {})
    place = collector.place
    answers = _answers_key(draft)
    # A kiosk is one address by design: only runs of identical answers are suspect there.
    reason = _suspect_reason(
        place=place, address="" if kiosk else address, answers=answers, now=now
    )
    if receipt is not None:
        receipt = receipts.receipt_claim(receipt=receipt, now=now)
    row = PlaceResponse(
        kiosk=kiosk,
        idempotency_key=idempotency_key or None,
        receipt=receipt,
        collector=collector,
        place=place,
        department_id=place.department_id,
        segment_id=place.segment_id,
        language=language,
        submitted_at=now,
        address_key=address,
        answers_key=answers,
    )
    if reason:
        row.state = PlaceResponse.State.HELD
        row.reason = reason
        row.draft = draft
        row.contact = contact
    else:
        row.state = PlaceResponse.State.ACCEPTED
        row.response, row.customer = _store(
            collector=collector, draft=draft, language=language, contact=contact, submitted_at=now
        )
    if row.customer_id is None and receipt is not None and receipt.customer_id:
        row.customer_id = receipt.customer_id  # the purchase's customer, when known
    row.save()
    return row


def _check_decider(*, row: PlaceResponse, user: User) -> None:
    if not (user.is_quality_manager or row.place.department.head_id == user.pk):
        raise ApplicationError(
            _("Only a quality manager or the head of the department decides on held answers.")
        )
    if row.state != PlaceResponse.State.HELD:
        raise ApplicationError(_("These answers have been decided on already."))


@transaction.atomic
def place_response_accept(*, row: PlaceResponse, user: User) -> PlaceResponse:
    """A person looked at held answers and finds them genuine: they are stored as a
    response at the time they were given, and count from now on."""
    row = lock(row)
    _check_decider(row=row, user=user)
    row.response, row.customer = _store(
        collector=row.collector,
        draft=row.draft,
        language=row.language,
        contact=row.contact,
        submitted_at=row.submitted_at,
    )
    row.state = PlaceResponse.State.ACCEPTED
    row.draft, row.contact = {}, {}
    row.decided_by, row.decided_at = user, timezone.now()
    row.save()
    return row


@transaction.atomic
def place_response_reject(*, row: PlaceResponse, user: User) -> PlaceResponse:
    """Held answers judged not genuine: their answers and contact details are dropped."""
    row = lock(row)
    _check_decider(row=row, user=user)
    row.state = PlaceResponse.State.REJECTED
    row.draft, row.contact = {}, {}
    row.decided_by, row.decided_at = user, timezone.now()
    row.save()
    return row


# --- Kiosks ------------------------------------------------------------------------------


@transaction.atomic
def kiosk_issue(*, collector: Collector, name: str, issued_by: User | None = None):
    """A kiosk device for the collector. Returns (device, token): the token is in the
    kiosk's URL, shown once; only its hash is stored."""
    from satisfaction.services import hash_token

    from .models import KioskDevice

    if not collector.active:
        raise ApplicationError(_("This collector has stopped: start a new one first."))
    if not name.strip():
        raise ApplicationError(_("Name the kiosk, e.g. “Tablet at the exit”."))
    token = secrets.token_urlsafe(32)
    device = KioskDevice.objects.create(
        collector=collector,
        name=name.strip()[:80],
        token_hash=hash_token(token),
        issued_by=issued_by,
    )
    return device, token


@transaction.atomic
def kiosk_revoke(*, device) -> None:
    device = lock(device)
    if device.revoked_at is not None:
        raise ApplicationError(_("This kiosk has been revoked already."))
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at", "updated_at"])


def kiosk_resolve(*, token: str):
    """The active kiosk for `token`, or None (unknown, malformed or revoked)."""
    from satisfaction.services import hash_token

    from .models import KioskDevice

    if not token or len(token) > 100:
        return None
    return (
        KioskDevice.objects.select_related(
            "collector__place__department", "collector__wave", "collector__survey_version__survey"
        )
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )


def kiosk_submit(*, device, draft: dict, language: str, idempotency_key: str) -> tuple:
    """A kiosk's answers, stored once per idempotency key: (row, created)."""
    key = (idempotency_key or "")[:64]
    if not key:
        raise ApplicationError(_("The kiosk page sent no key."))
    existing = PlaceResponse.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = place_submit(
                collector=device.collector,
                draft=draft,
                language=language,
                kiosk=device,
                idempotency_key=key,
            )
    except IntegrityError:
        existing = PlaceResponse.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    from .models import KioskDevice

    KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return row, True
