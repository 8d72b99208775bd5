"""The access sweep's engine (docs/architecture.md section 7.5, "the department rule"):
every page of the URLconf and every operation of the API schema, aimed at records of
another department, as that department's outsiders (a head, a staff member and the
read-only viewer of department A). Used by tests/test_access_sweep.py (Django's test
client, inside the suite) and bench/access_sweep.py (HTTP against a running server).

Nothing here is a list of pages to test: the pages come from the resolver and the API
operations from the drf-spectacular schema. What is listed is how to fill a URL's
arguments where the generic rules cannot guess it (ALIASES, SLUG_VALUES) and which reads
the department rule leaves open on purpose (OPEN_READS, each with its reason). A new
page or endpoint is swept the day it is added; one whose arguments cannot be filled
makes `page_cases()` / `api_cases()` report it instead of skipping it.

Expectations (`expected_read`, `expected_write`):
- a record of another department (or another person's: a follow-up case, a review
  decision, a user) is "not found" (404) or forbidden (403) to a head or staff member of
  department A, for reading and for writing; the viewer reads it and writes nothing;
- every write leaves the database as it was (no row added, changed or removed) and sends
  no e-mail, whatever the status;
- lists and pages readable by A's people show no link to such a record, and API lists
  return none of them (the over-read check).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# The demo organisation's people (qms/management/commands/load_demo.py): department A is
# the front desk, seen by its head, a staff member and the read-only viewer.
HOME_DEPARTMENT = "FD"
PREFERRED_OTHER = "HK"
QUALITY_MANAGER = "quality"
ROLES = {"head": "frontdesk", "staff": "staff", "viewer": "auditor"}

# Page routes that are not portal pages about records. Each with the reason it is not
# swept here; everything else is.
NOT_SWEPT = {
    "admin/": "Django admin: only accounts with is_staff (quality managers) sign in",
    "api/": "the API is swept operation by operation from its schema (api_cases)",
    "accounts/": "the user's own sign-in, sign-out and password",
    "i18n/": "the language switch (a cookie, no record)",
}

# Path segments (or `<name>_pk` prefixes) that do not spell their model's name.
ALIASES = {
    "people": "qms.User",
    "parties": "qms.InterestedParty",
    "conflicts": "qms.PartyConflict",
    "reviews": "qms.ManagementReview",
    "decisions": "qms.ReviewDecision",
    "assessment": "qms.ImpactAssessment",
    "members": "qms.Membership",
    "coverage": "qms.Department",
    "checklist": "crm.ChecklistItem",
    "versions": "surveys.SurveyVersion",
    "rule": "surveys.AlertRule",
    "finding": "research.InterviewFinding",
    "export": "satisfaction.ResponseExport",
    "followups": "satisfaction.FollowUpCase",
    "actions": "actions.CorrectiveAction",
    "imports": "customers.ImportJob",
    "candidates": "coding.CandidateTopic",
    "packs": "qms.EvidencePack",  # evidence/packs/<pk>/ (issue 21)
    "reviewdecisions": "qms.ReviewDecision",  # review-decisions/<pk>/cite/
    "decisioncitations": "requirements.DecisionCitation",  # decision-citations/<pk>/remove/
    "webhooks": "qms.WebhookEndpoint",
    "held": "places.PlaceResponse",
    "kiosks": "places.KioskDevice",
}

# Slug arguments: a value per argument name (a callable gets the filled objects).
SLUG_VALUES = {
    "token": lambda objects: "not-a-real-token-0000000000000000",
    "action": lambda objects: "acknowledge",  # a complaint step
    "step": lambda objects: "containment",  # a corrective-action step
    "key": lambda objects: "nps",  # a metric of the registry
    "code": lambda objects: _place_code(),  # a place's short URL (the QR code)
}


def _place_code() -> str:
    """The short code of a collector at another department's place (the demo's restaurant
    tables), so the public page is swept with a real survey behind it."""
    from places.models import Collector

    collector = Collector.objects.exclude(place__department__code=HOME_DEPARTMENT).first()
    return collector.code if collector else "no-such-code"


# Records owned by a person rather than a department: the field naming the owner.
PERSON_OWNED = {
    "qms.User": "pk",
    "satisfaction.FollowUpCase": "owner",
    "qms.ReviewDecision": "owner",
    "customers.ImportJob": "requested_by",
}

# Records whose readers the apps define more widely than one department field: every
# owner listed may read (and, where its rules say so, change) the record, so it is
# another department's only when none of them is department A or one of A's people.
OWNERS = {
    # actions/selectors.py scope_actions: the action's department and owner, and the
    # departments and people of its measures
    "actions.CorrectiveAction": [
        ("department", "department"),
        ("person", "owner"),
        ("department", "measures__department"),
        ("person", "measures__owner"),
    ],
    "actions.Measure": [
        ("department", "department"),
        ("person", "owner"),
        ("department", "action__department"),
        ("person", "action__owner"),
    ],
    # crm/selectors.py booking_list: the booking's department and those of its checklist
    "crm.Booking": [("department", "department"), ("department", "checklist__department")],
    # coding: candidate new topics are the organisation's vocabulary work (quality
    # managers only), not any department's
    "coding.CandidateTopic": [],
}

# Reads the department rule leaves open to every department member on purpose (URL
# names of pages, `api:<url name>` of API operations), with the reason. Writes are never
# open across departments.
OPEN_READS = {
    "api:preference-detail": (
        "a customer's preferences are read by every department that serves the customer "
        "(Customer 360); changing them is the preparing department's"
    ),
    "api:preference-list": "the same preferences as a list",
    "api:interaction-list": "the customer timeline is organisation-wide (Customer 360)",
    "healthz": "the process is up: no data, for load balancers (no sign-in needed)",
    "readyz": "ok/fail per dependency: no data, for load balancers (no sign-in needed)",
    "prometheus-metrics": "counts only, for Prometheus on the machine itself or with a token",
    "place:answer": (
        "a place's survey page (its QR code) is public: anyone at the place, signed in or "
        "not, opens it"
    ),
}

# Health checks whose answer "not ready" is 503 by design (e.g. no scanner has run in
# the sweep's database), not a server error.
NOT_READY_ANSWERS = {"readyz"}

# Creates that hand work to another department on purpose, so the record they make
# belongs to it (URL names; API: `api:<url name>`); each with the reason. They create;
# nothing of the other department's is changed or removed.
HANDOVER_CREATES = {
    "crm:complaint-create": (
        "a complaint is registered by whoever receives it and routed to the department "
        "concerned (ISO 10002), which alone handles it from then on"
    ),
    "api:complaint-list": "the same intake through the API",
    "crm:preference-create": (
        "a preference is recorded by whoever hears it, for the department that prepares "
        "it; from then on only that department changes it"
    ),
    "api:preference-list": "the same through the API",
    "place:answer": (
        "a walk-in's answers at a place are given by whoever is there, without a login; "
        "they belong to the place's department from then on"
    ),
}

# Models whose rows may change during a refused request without it being a write:
# sessions (the test client's sign-in), django-axes' access log, Django's admin log.
IGNORED_TABLES = {"django_session", "django_admin_log"}
IGNORED_APPS = {"axes", "sessions", "admin"}

# Extra fields for a write the page's own form does not show (POST-only buttons).
EXTRA_POST = {
    "prepared": "1",
    "action": "close",
    "note": "Sweep note",
    "comment": "Sweep comment",
    "reason": "Sweep reason",
    "decision": "Sweep decision",
    "status": "done",
}
EXTRA_JSON = {
    "note": "Sweep note",
    "comment": "Sweep comment",
    "reason": "Sweep reason",
    "decision": "Sweep decision",
    "prepared": True,
    "status": "done",
    "to": "containment",
    "value": "Sweep value",
}


# --- Models and who owns them ----------------------------------------------------------


def portal_models() -> list[type[models.Model]]:
    labels = {app.split(".")[-1] for app in settings.PORTAL_APPS}
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in labels and not m.__name__.startswith("Historical")
    ]


def _model_named(word: str, namespace: str = "") -> type[models.Model] | None:
    word = word.lower().replace("-", "").replace("_", "")
    if word in ALIASES:
        return apps.get_model(ALIASES[word])
    candidates = {word, word.removesuffix("s"), word.removesuffix("es"), word[:-3] + "y"}
    found = [m for m in portal_models() if m._meta.model_name in candidates]
    if len(found) > 1 and namespace:
        found = [m for m in found if m._meta.app_label == namespace] or found
    return found[0] if len(found) == 1 else None


def department_path(model, depth: int = 3) -> str | None:
    """The lookup from `model` to the department that owns a row ("department",
    "objective__department", "id" for a department itself), or None for organisation-wide
    records (customers, surveys, requirements...)."""
    from qms.models import Department

    if model is Department:
        return "id"
    fields = [f for f in model._meta.get_fields() if f.many_to_one and f.concrete]
    for f in fields:
        if f.related_model is Department and f.name == "department":
            return f.name
    if depth > 1:
        for f in fields:
            if f.related_model is None or f.related_model is model:
                continue
            if f.related_model._meta.label in ("qms.Department", "qms.User"):
                continue
            inner = department_path(f.related_model, depth - 1)
            if inner and inner != "id":
                return f"{f.name}__{inner}"
    return None


def owners(model) -> list[tuple[str, str]]:
    """Who owns a row of `model`: [("department", path) or ("person", path), ...]; empty
    for organisation-wide records."""
    label = model._meta.label
    if label in OWNERS:
        return OWNERS[label]
    if label in PERSON_OWNED:
        return [("person", PERSON_OWNED[label])]
    path = department_path(model)
    return [("department", path)] if path else []


@dataclass
class World:
    """Who sweeps (department A's people) and whose records are aimed at."""

    home_ids: frozenset
    people: dict  # role -> User
    quality_manager: object
    other_id: int  # the preferred other department

    @classmethod
    def load(cls) -> World:
        from qms.models import Department, User
        from qms.selectors import department_ids_for_user

        people = {role: User.objects.get(username=name) for role, name in ROLES.items()}
        home = Department.objects.get(code=HOME_DEPARTMENT)
        ids = {home.pk}
        for role in ("head", "staff"):
            ids |= department_ids_for_user(people[role])
        return cls(
            home_ids=frozenset(ids),
            people=people,
            quality_manager=User.objects.get(username=QUALITY_MANAGER),
            other_id=Department.objects.get(code=PREFERRED_OTHER).pk,
        )

    @property
    def home_people(self) -> list[int]:
        return [p.pk for p in self.people.values()]

    def foreign(self, model):
        """The rows of `model` no owner of which is department A or one of A's people
        (None for organisation-wide models)."""
        paths = owners(model)
        if not paths:
            return None
        qs = model._base_manager.all()
        for kind, path in paths:
            mine = self.home_ids if kind == "department" else self.home_people
            qs = qs.exclude(**{f"{path}__in": mine})
        first_kind, first_path = paths[0]
        return qs.exclude(**{f"{first_path}__isnull": True}).distinct()

    def other(self, model):
        """A row of `model` that belongs to another department (or person), the preferred
        other department first; any row of an organisation-wide model."""
        qs = self.foreign(model)
        if qs is None:
            return model._base_manager.order_by("pk").first()
        kind, path = owners(model)[0]
        if kind == "department":
            preferred = qs.filter(**{path: self.other_id}).order_by("pk").first()
            if preferred is not None:
                return preferred
        return qs.order_by("pk").first()

    def is_foreign(self, obj) -> bool:
        qs = self.foreign(type(obj))
        return qs is not None and qs.filter(pk=obj.pk).exists()


def add_other_department_records():
    """Records the demo keeps to the front desk, made for housekeeping too."""
    from actions import services as action_services
    from coding.models import CandidateTopic
    from crm import services as crm_services
    from customers.models import Customer, ImportJob
    from qms import services as qms_services
    from qms.models import (
        Department,
        EvidencePack,
        Membership,
        ReviewDecision,
        User,
        WebhookEndpoint,
    )
    from satisfaction.services.exports import export_request
    from surveys.models import Survey

    housekeeping = Department.objects.get(code=PREFERRED_OTHER)
    # An organisation-wide record of the quality manager's (switched off: sends nothing).
    WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hook", events=["complaint.opened"], is_active=False
    )
    quality = User.objects.get(username=QUALITY_MANAGER)
    head = housekeeping.head
    member = User.objects.create(username="hk-staff", email="hk-staff@example.com")
    Membership.objects.create(user=member, department=housekeeping)
    customer = Customer.objects.filter(preferences__isnull=True).order_by("pk").first()
    crm_services.preference_create(
        customer=customer,
        actor=head,
        category="room",
        value="Extra blanket",
        department=housekeeping,
    )
    crm_services.booking_create(
        customer=customer,
        kind="booking",
        starts_at=timezone.now() + dt.timedelta(days=3),
        department=housekeeping,
        actor=head,
    )
    review = qms_services.review_create(
        title="Management review Q3",
        period_label="2026-Q3",
        meeting_date=timezone.localdate() + dt.timedelta(days=14),
        chair=quality,
    )
    qms_services.decision_add(
        review=review,
        kind=ReviewDecision.Kind.values[0],
        title="Review towel stock weekly",
        owner=head,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    export_request(survey=Survey.objects.order_by("pk").first(), format="csv", requested_by=quality)
    CandidateTopic.objects.create(top_terms=["towel", "stock"], size=4, last_seen_at=timezone.now())
    # An evidence pack built in the background (issue 21): quality managers and viewers
    # download it; nobody else.
    EvidencePack.objects.create(
        period_label="2026-Q3", format="zip", requested_by=quality, state="done"
    )
    ImportJob.objects.create(
        kind="customers",
        label="Customers",
        schema_path="customers.imports.CustomerSchema",
        source=ImportJob.Source.UPLOAD,
        filename="customers.csv",
        requested_by=quality,
        state=ImportJob.State.DONE,
        phase=ImportJob.Phase.FINISHED,
    )
    action = action_services.action_create(
        actor=quality,
        title="Towels run out on busy weekends",
        department=housekeeping,
        owner=head,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    action_services.measure_add(
        actor=quality,
        action=action,
        title="Count towels every Friday",
        owner=head,
        department=housekeeping,
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )


# --- Cases -----------------------------------------------------------------------------


@dataclass
class Case:
    name: str  # URL name ("crm:preference-update") or "api:<url name>"
    path: str
    method: str = "GET"  # for API cases: the operation's method
    objects: list = field(default_factory=list)  # the records in the URL
    foreign: bool = False  # aims at another department's (or person's) record
    api: bool = False
    list_model: type | None = None  # API list operations: the model listed
    also: list = field(default_factory=list)  # the same page for other such records

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} ({self.name})"


class Unfillable(Exception):
    pass


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full_ns = ":".join(x for x in (namespace, ns) if x)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, p


_ARG = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


def _fill(route: str, name: str, world: World, extra_slugs: dict | None = None):
    """The kwargs for `route` aimed at other departments' records, and those records.
    Raises Unfillable with what to add."""
    namespace = name.split(":")[0] if ":" in name else ""
    args = [(m.group("conv") or "str", m.group("name"), m.start()) for m in _ARG.finditer(route)]
    kwargs, objects = {}, []
    # Inner records first (`<x>_pk`), so the outer `pk` can be their parent.
    ordered = sorted(args, key=lambda a: a[1] == "pk")
    for conv, arg, position in ordered:
        if extra_slugs and arg in extra_slugs:
            kwargs[arg] = extra_slugs[arg]
            continue
        if conv in ("int",) or arg.endswith("pk") or arg == "id":
            if arg == "pk" or arg == "id":
                before = route[:position].rstrip("/").split("/")
                word = before[-1] if before and before[-1] else ""
            else:
                word = arg.removesuffix("_pk")
            model = _model_named(word, namespace)
            if model is None:
                raise Unfillable(f"{name}: which model is <{arg}> ({word!r})? Add it to ALIASES")
            parent = next(
                (
                    getattr(o, f.attname)
                    for o in objects
                    for f in type(o)._meta.get_fields()
                    if f.many_to_one and f.concrete and f.related_model is model
                ),
                None,
            )
            obj = model._base_manager.get(pk=parent) if parent else world.other(model)
            if obj is None:
                raise Unfillable(
                    f"{name}: no {model._meta.label} of another department to aim at; add "
                    "one to the sweep's data"
                )
            kwargs[arg] = obj.pk
            objects.append(obj)
        elif arg in SLUG_VALUES:
            kwargs[arg] = SLUG_VALUES[arg](objects)
        else:
            raise Unfillable(f"{name}: no value for <{arg}>; add it to SLUG_VALUES")
    return kwargs, objects


def page_cases(world: World) -> tuple[list[Case], list[str]]:
    """Every page of the URLconf, filled; and the patterns that could not be filled."""
    from qms import history

    cases, problems = [], []
    for route, name, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith(tuple(NOT_SWEPT)):
            continue
        if not name:
            problems.append(f"{route}: a page without a URL name cannot be swept")
            continue
        variants = [None]
        if "<slug:model>" in route:
            # Records with a history or impact page: one case per registered kind.
            variants = [{"model": slug} for slug in sorted(history._entries)]
        for variant in variants:
            try:
                if variant:
                    entry = history.entry_for(variant["model"])
                    obj = world.other(entry.model)
                    if obj is None:
                        raise Unfillable(f"{name}: no {entry.model._meta.label} to aim at")
                    kwargs, objects = {**variant, "pk": obj.pk}, [obj]
                else:
                    kwargs, objects = _fill(route, name, world)
                path = reverse(name, kwargs=kwargs)
            except Unfillable as error:
                problems.append(str(error))
                continue
            foreign = any(world.is_foreign(o) for o in objects)
            also = []
            if foreign and list(kwargs) == ["pk"]:
                # Every other such record's page too, for the over-read check.
                others = world.foreign(type(objects[0]))
                also = [
                    reverse(name, kwargs={"pk": pk})
                    for pk in others.values_list("pk", flat=True)[:200]
                ]
            cases.append(Case(name=name, path=path, objects=objects, foreign=foreign, also=also))
    return cases, problems


def _viewset_model(path: str):
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None, ""
    cls = getattr(match.func, "cls", None)
    model = None
    if cls is not None:
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            model = queryset.model
        serializer = getattr(cls, "serializer_class", None)
        if model is None and serializer is not None and hasattr(serializer, "Meta"):
            model = getattr(serializer.Meta, "model", None)
    return model, match.url_name or ""


def api_cases(world: World) -> tuple[list[Case], list[str]]:
    """Every operation of the API schema, its path parameters filled."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    cases, problems = [], []
    for template, operations in sorted(schema["paths"].items()):
        probe = re.sub(r"\{(\w+)\}", "1", template)
        model, url_name = _viewset_model(probe)
        for method in operations:
            name = f"api:{url_name}"
            path, objects = template, []
            try:
                for param in re.findall(r"\{(\w+)\}", template):
                    if param in ("id", "pk"):
                        word = template.split("{" + param + "}")[0].rstrip("/").split("/")[-1]
                        target = model if model is not None else _model_named(word)
                        if target is None:
                            raise Unfillable(f"{template}: which model is {{{param}}}?")
                        obj = world.other(target)
                        if obj is None:
                            raise Unfillable(
                                f"{template}: no {target._meta.label} of another department"
                            )
                        objects.append(obj)
                        value = obj.pk
                    elif param in SLUG_VALUES:
                        value = SLUG_VALUES[param](objects)
                    else:
                        raise Unfillable(f"{template}: no value for {{{param}}}")
                    path = path.replace("{" + param + "}", str(value))
            except Unfillable as error:
                problems.append(str(error))
                continue
            cases.append(
                Case(
                    name=name,
                    path=path,
                    method=method.upper(),
                    objects=objects,
                    foreign=any(world.is_foreign(o) for o in objects),
                    api=True,
                    list_model=model if not objects and url_name.endswith("-list") else None,
                )
            )
    return cases, problems


# --- Plausible data --------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The POST forms of a page: action and field values as the page fills them."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "selects": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "on")
                else:
                    self._form["fields"].setdefault(a["name"], None)
                    if kind == "radio" and self._form["fields"][a["name"]] is None:
                        self._form["fields"][a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._form["fields"][a["name"]] = (a.get("value") or "", kind)
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["selects"][self._select] = []
            self._form["fields"][self._select] = None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["selects"][self._select].append(value)
            if "selected" in a:
                self._form["fields"][self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ("", "textarea")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            value, kind = self._form["fields"][self._textarea]
            self._form["fields"][self._textarea] = (value + data, kind)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def _plausible(kind: str, value: str) -> str:
    today = dt.date.today()
    if value:
        return value + " (sweep)" if kind in ("text", "textarea") else value
    return {
        "date": (today + dt.timedelta(days=7)).isoformat(),
        "datetime-local": (today + dt.timedelta(days=7)).isoformat() + "T10:00",
        "number": "1",
        "email": "sweep@example.com",
        "url": "https://example.com/sweep",
    }.get(kind, "Sweep text")


def form_data(html: str, path: str, other_department_id: int) -> dict:
    """A plausible submission of the page's form as the quality manager sees it filled:
    every text changed, empty choices given their first option, departments set to the
    other department."""
    parser = _FormFields()
    parser.feed(html)
    forms = [f for f in parser.forms if f["action"] in ("", path)] or parser.forms
    forms = [f for f in forms if "/i18n/" not in f["action"] and "logout" not in f["action"]]
    data = dict(EXTRA_POST)
    if not forms:
        return data
    form = max(forms, key=lambda f: len(f["fields"]))
    for name, value in form["fields"].items():
        if name == "csrfmiddlewaretoken":
            continue
        options = [o for o in form["selects"].get(name, []) if o]
        if name in form["selects"]:
            if "department" in name and str(other_department_id) in options:
                data[name] = str(other_department_id)
            else:
                data[name] = value or (options[0] if options else "")
        elif isinstance(value, tuple):
            data[name] = _plausible(value[1], value[0])
        elif value is not None:
            data[name] = value
    return data


def json_body(detail: dict | None, other_department_id: int) -> dict:
    """A plausible API body: the record as the quality manager reads it, texts changed,
    departments set to the other department, plus the usual step fields."""
    body = dict(EXTRA_JSON)
    for key, value in (detail or {}).items():
        if key in ("id", "url", "created_at", "updated_at"):
            continue
        if key == "department" or key.endswith("_department"):
            body[key] = other_department_id
        elif isinstance(value, str) and not re.fullmatch(r"[a-z0-9_\-]*|[\d\-:T.+Z ]+", value):
            body[key] = (value + " sweep")[:60]  # free text (codes and dates are kept)
        elif (
            isinstance(value, (int, float, bool, str))
            or value is None
            or (isinstance(value, list) and all(isinstance(v, (int, str)) for v in value))
        ):
            body[key] = value
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            body.setdefault("item", value[0].get("id"))  # e.g. a booking's checklist item
    return body


# --- Expectations ----------------------------------------------------------------------

REFUSED = (403, 404, 405)


def expected_read(case: Case, role: str) -> str | None:
    """None when the read is allowed; otherwise what should have happened."""
    if role == "viewer" or not case.foreign:
        return None
    if case.name in OPEN_READS:
        return None
    return "403, 404 or 405 (another department's record)"


def read_problem(case: Case, role: str, status: int) -> str | None:
    if status == 503 and case.name in NOT_READY_ANSWERS:
        return None
    if status >= 500:
        return f"{status}: a server error"
    expectation = expected_read(case, role)
    if expectation and status not in REFUSED:
        return f"{status}, expected {expectation}"
    return None


def write_problem(case: Case, role: str, status: int, changed: list[str]) -> str | None:
    if changed and role != "viewer" and case.name in HANDOVER_CREATES and not case.foreign:
        return None
    if changed:
        return f"{status} and the database changed: {', '.join(changed[:5])}"
    if status >= 500:
        return f"{status}: a server error"
    if case.foreign and status not in REFUSED:
        return f"{status}, expected 403/404/405 (another department's record)"
    return None


def forbidden_paths(page_cases_: list, role: str) -> set[str]:
    """Pages of other departments' records that `role` must not open: no page they can
    read may link to one."""
    paths = set()
    for case in page_cases_:
        if case.foreign and expected_read(case, role) is not None:
            paths |= {case.path, *case.also}
    return paths


def list_over_read(world, case, role, data) -> str | None:
    """An API list shows a record of another department (unless the read is open)."""
    if expected_read(case, role) is None and (role == "viewer" or case.name in OPEN_READS):
        return None
    foreign_rows = world.foreign(case.list_model)
    if foreign_rows is None:
        return None
    rows = data.get("results", data) if isinstance(data, dict) else data
    ids = {row.get("id") for row in rows if isinstance(row, dict)}
    foreign = sorted(foreign_rows.filter(pk__in=ids - {None}).values_list("pk", flat=True))
    if foreign:
        return f"lists another department's {case.list_model.__name__} {sorted(foreign)[:5]}"
    return None


# --- The database, before and after ----------------------------------------------------


def _tables():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in IGNORED_APPS or model._meta.db_table in IGNORED_TABLES:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every table (history tables included)."""
    result = {}
    for model in _tables():
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list().iterator(chunk_size=2000):
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return [
        f"{table} ({before.get(table, (0,))[0]}→{after.get(table, (0,))[0]} rows)"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]


WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def wrote(queries) -> bool:
    """Whether any statement of `queries` (CaptureQueriesContext) wrote to a table that
    counts: the cheap test before a full snapshot comparison."""
    for query in queries:
        sql = query["sql"]
        if WRITE_SQL.match(sql) and not any(t in sql for t in IGNORED_TABLES | {"axes_"}):
            return True
    return False


def linked_paths(html: str) -> set[str]:
    return set(re.findall(r'href="(/[^"#?]*)', html))
