"""Writes and workflows of the requirements register and its deployment to departments.

Lifecycle (guide section II, points 1 and 3)::

    proposed ──submit──► under review ──review "yes"──► (accept) ──► accepted ──deploy──► deployed
        ▲                     │                                                          │
        └──── review "no" ────┘            any status except retired ──retire (reason)──► retired

* A review records who, when, and whether the organisation can meet the requirement.
  "Yes" allows acceptance of the revision reviewed; "no" (a note saying why is required)
  sends the requirement back to *proposed*, where the quality manager reworks it and
  submits it again, or retires it.
* Acceptance needs the latest review to be a "yes" for the current revision.
* Deploying needs at least one department deployment; every deployment is then
  notified (head and staff) and its acknowledgement clock starts.
* Retiring needs a reason; pending reminders stop.
* Changing the substance (title, description, acceptance criterion, kind) of a requirement
  under review, accepted or deployed starts a new revision: history keeps the old text,
  every acknowledgement and staff read is for the old revision only, and deployed
  departments are told and asked to acknowledge again.

Every message goes through the outbox (`qms.services.message_queue`) with a unique key,
so retries and duplicate tasks send nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.exceptions import ApplicationError
from qms.models import Department, Membership, Message, User
from qms.selectors import headed_department_ids
from qms.services import message_queue
from qms.services_kit import model_update
from qms.workflow import Ladder, Step, Transition, Workflow, due_rows, lock, locked

from .models import (
    BriefRead,
    DecisionCitation,
    Deployment,
    DeploymentAcknowledgement,
    Requirement,
    RequirementReview,
    RequirementTransition,
)

Status = Requirement.Status

SUBSTANCE_FIELDS = ("title", "description", "acceptance_criterion", "kind")
EDITABLE_FIELDS = {
    "title",
    "description",
    "kind",
    "segment",
    "importance",
    "acceptance_criterion",
    "reference",
    "owner",
    "topics",
}
UPDATE_FIELDS = sorted(EDITABLE_FIELDS - {"topics"})  # topics: a many-to-many, set apart
# Days between the first and second reminder, and the second reminder and escalation.
REMINDER_INTERVAL_DAYS = 3
SCAN_BATCH = 200


def _require_qm(actor) -> None:
    if not getattr(actor, "is_quality_manager", False):
        raise ApplicationError(_("Only a quality manager can change the requirements register."))


# --- The life cycle, declared (qms.workflow) ---------------------------------------------


def _history_reason(requirement: Requirement, transition: Transition, *, note: str, **_context):
    """Every move: simple-history's change reason is the note, else the new status."""
    requirement._change_reason = note or f"{transition.target}"


def _reviewed_yes(requirement: Requirement, **_context) -> str | None:
    review = requirement.reviews.first()
    if review is None or not review.can_meet or review.revision != requirement.revision:
        return _(
            "Record a review that says the organisation can meet this revision of the "
            "requirement before accepting it."
        )
    return None


def _has_deployments(requirement: Requirement, *, deployments=None, **_context) -> str | None:
    if deployments is None:
        deployments = requirement.deployments.exists()
    if not deployments:
        return _("Add at least one department and its commitment before deploying.")
    return None


def _has_reason(requirement: Requirement, *, reason: str = "", **_context) -> str | None:
    if not (reason or "").strip():
        return _("Give a reason for retiring the requirement.")
    return None


WORKFLOW = Workflow(
    states=Status,
    log_model=RequirementTransition,
    full_clean=False,
    update_fields=("status", "updated_at"),
    on_enter=_history_reason,
    transitions=[
        Transition(
            name="submit",
            source=Status.PROPOSED,
            target=Status.UNDER_REVIEW,
            label=gettext_lazy("Submit for review"),
            illegal=gettext_lazy("Only a proposed requirement can be submitted for review."),
        ),
        # A review that says "cannot meet it" (requirement_review checks the note first).
        Transition(
            name="send_back",
            source=Status.UNDER_REVIEW,
            target=Status.PROPOSED,
            label=gettext_lazy("Send back"),
        ),
        Transition(
            name="accept",
            source=Status.UNDER_REVIEW,
            target=Status.ACCEPTED,
            label=gettext_lazy("Accept"),
            guard=_reviewed_yes,
            illegal=gettext_lazy("Only a requirement under review can be accepted."),
        ),
        Transition(
            name="deploy",
            source=Status.ACCEPTED,
            target=Status.DEPLOYED,
            label=gettext_lazy("Deploy"),
            guard=_has_deployments,
            illegal=gettext_lazy("Only an accepted requirement can be deployed."),
        ),
        Transition(
            name="retire",
            source=tuple(s for s in Status.values if s != Status.RETIRED),
            target=Status.RETIRED,
            label=gettext_lazy("Retire"),
            guard=_has_reason,
            illegal=gettext_lazy("This requirement is already retired."),
        ),
    ],
)


def _transition(requirement: Requirement, name: str, *, actor, note: str = "", **context):
    WORKFLOW.transition(
        requirement,
        name,
        actor=actor,
        note=note,
        log_extra={"revision": requirement.revision},
        **context,
    )


# --- Register --------------------------------------------------------------------------


@transaction.atomic
def requirement_create(*, actor: User, topics=(), **fields) -> Requirement:
    _require_qm(actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    requirement = Requirement(**fields)
    requirement.full_clean()
    requirement.save()
    if topics:
        requirement.topics.set(topics)
    RequirementTransition.record(
        requirement,
        from_status="",
        to_status=Status.PROPOSED,
        actor=actor,
        revision=requirement.revision,
    )
    return requirement


@transaction.atomic
def requirement_update(*, requirement: Requirement, actor: User, **fields) -> Requirement:
    """Edit a requirement. A change of substance after it left *proposed* starts a new
    revision and asks deployed departments to acknowledge again."""
    _require_qm(actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    requirement = lock(requirement)
    if requirement.status == Status.RETIRED:
        raise ApplicationError(_("A retired requirement cannot be changed."))
    topics = fields.pop("topics", None)
    changed = [
        name
        for name in SUBSTANCE_FIELDS
        if name in fields and fields[name] != getattr(requirement, name)
    ]
    new_revision = bool(changed) and requirement.status != Status.PROPOSED

    def start_revision(requirement: Requirement) -> None:
        if new_revision:
            requirement.revision += 1
            requirement.revised_at = timezone.now()
            requirement._change_reason = _("New revision %(revision)s: %(fields)s changed") % {
                "revision": requirement.revision,
                "fields": ", ".join(changed),
            }

    model_update(
        instance=requirement,
        fields=[*UPDATE_FIELDS, "revision", "revised_at"],
        data=fields,
        prepare=start_revision,
    )
    if topics is not None:
        requirement.topics.set(topics)
    if new_revision and requirement.status == Status.DEPLOYED:
        for deployment in requirement.deployments.select_related("department", "department__head"):
            _start_acknowledgement(deployment, requirement=requirement, changed=True)
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: Requirement, actor: User) -> None:
    """Only a proposed requirement that was never deployed can be deleted; anything
    further along is retired instead, so the audit trail stays whole."""
    _require_qm(actor)
    if requirement.status != Status.PROPOSED or requirement.deployments.exists():
        raise ApplicationError(
            _("Only a proposed requirement without deployments can be deleted. Retire it instead.")
        )
    requirement.delete()


# --- Lifecycle -------------------------------------------------------------------------


@transaction.atomic
def requirement_submit_for_review(*, requirement: Requirement, actor: User) -> Requirement:
    _require_qm(actor)
    requirement = lock(requirement)
    _transition(requirement, "submit", actor=actor)
    return requirement


@transaction.atomic
def requirement_review(
    *, requirement: Requirement, actor: User, can_meet: bool, note: str = ""
) -> RequirementReview:
    """Record the review. "No" sends the requirement back to *proposed*."""
    _require_qm(actor)
    requirement = lock(requirement)
    if requirement.status != Status.UNDER_REVIEW:
        raise ApplicationError(_("Submit the requirement for review before recording a review."))
    note = (note or "").strip()
    if not can_meet and not note:
        raise ApplicationError(
            _("Say why the organisation cannot meet this requirement (the note is required).")
        )
    review = RequirementReview(
        requirement=requirement,
        revision=requirement.revision,
        reviewed_by=actor,
        can_meet=can_meet,
        note=note,
    )
    review.full_clean()
    review.save()
    if not can_meet:
        _transition(
            requirement,
            "send_back",
            actor=actor,
            note=_("Review: cannot meet it. %(note)s") % {"note": note},
        )
    return review


@transaction.atomic
def requirement_accept(*, requirement: Requirement, actor: User, note: str = "") -> Requirement:
    _require_qm(actor)
    requirement = lock(requirement)
    _transition(requirement, "accept", actor=actor, note=note)
    return requirement


@transaction.atomic
def requirement_deploy(*, requirement: Requirement, actor: User) -> Requirement:
    _require_qm(actor)
    requirement = lock(requirement)
    deployments = list(requirement.deployments.select_related("department", "department__head"))
    _transition(requirement, "deploy", actor=actor, deployments=deployments)
    for deployment in deployments:
        _start_acknowledgement(deployment, requirement=requirement, changed=False)
    return requirement


@transaction.atomic
def requirement_retire(*, requirement: Requirement, actor: User, reason: str) -> Requirement:
    _require_qm(actor)
    requirement = lock(requirement)
    reason = (reason or "").strip()
    _transition(requirement, "retire", actor=actor, note=reason, reason=reason)
    requirement.deployments.update(next_action_at=None, updated_at=timezone.now())
    return requirement


# --- Deployment ------------------------------------------------------------------------


def _recipients(department: Department) -> list[User]:
    """The head and the staff of a department who have an e-mail address, once each."""
    people = {}
    if department.head_id and department.head.is_active and department.head.email:
        people[department.head.pk] = department.head
    members = Membership.objects.filter(department=department, user__is_active=True).select_related(
        "user"
    )
    for membership in members:
        if membership.user.email:
            people.setdefault(membership.user_id, membership.user)
    return list(people.values())


def _brief_url(deployment: Deployment) -> str:
    return reverse("requirements:deployment-detail", args=[deployment.pk])


def _notify_department(
    deployment: Deployment, requirement: Requirement, *, changed: bool, event: str = ""
) -> None:
    """Tell the head and staff. The key names the deployment and revision (plus `event`
    for changes within a revision, e.g. a new commitment), so each goes out once."""
    kind = "need_changed" if changed else "need_deployed"
    key_prefix = "need-changed" if changed else "need-deployed"
    revision_key = f"{requirement.revision}{event}"
    if changed:
        subject = _("Customer need changed: %(title)s") % {"title": requirement.title}
        intro = _("A customer need deployed to %(department)s has changed (revision %(rev)s).")
    else:
        subject = _("New customer need for %(department)s: %(title)s") % {
            "department": deployment.department.name,
            "title": requirement.title,
        }
        intro = _("A customer need has been deployed to %(department)s (revision %(rev)s).")
    body = "\n\n".join(
        [
            intro % {"department": deployment.department.name, "rev": requirement.revision},
            f"{requirement.title}\n{requirement.description}".strip(),
            _("Acceptance criterion: %(c)s") % {"c": requirement.acceptance_criterion or "—"},
            _("Your department's commitment: %(c)s") % {"c": deployment.commitment},
            _("Read the brief (the head acknowledges it there): %(url)s")
            % {"url": _brief_url(deployment)},
        ]
    )
    for person in _recipients(deployment.department):
        message_queue(
            key=f"{key_prefix}:{deployment.pk}:{revision_key}:{person.pk}",
            kind=kind,
            recipient=person.email,
            subject=subject[:200],
            body=body,
        )


def _start_acknowledgement(
    deployment: Deployment, *, requirement: Requirement, changed: bool
) -> None:
    """A deployment (or a new revision of it) is live: clear the acknowledgement of any
    earlier revision, start the acknowledgement clock and tell the department."""
    now = timezone.now()
    if deployment.activated_at is None:
        deployment.activated_at = now
    deployment.acknowledged_revision = None
    deployment.acknowledged_by = None
    deployment.acknowledged_at = None
    deployment.ack_comment = ""
    deployment.ack_due_at = now + dt.timedelta(days=deployment.ack_days)
    ACK_LADDER.restart(deployment, at=deployment.ack_due_at)
    deployment.save()
    _notify_department(deployment, requirement, changed=changed)


@transaction.atomic
def deployment_create(
    *,
    requirement: Requirement,
    department: Department,
    commitment: str,
    actor: User,
    ack_days: int | None = None,
) -> Deployment:
    _require_qm(actor)
    requirement = lock(requirement)
    if requirement.status not in (Status.ACCEPTED, Status.DEPLOYED):
        raise ApplicationError(_("Accept the requirement before deploying it to departments."))
    if Deployment.objects.filter(requirement=requirement, department=department).exists():
        raise ApplicationError(
            _("%(department)s already has a commitment for this requirement.")
            % {"department": department.name}
        )
    deployment = Deployment(
        requirement=requirement,
        department=department,
        commitment=(commitment or "").strip(),
    )
    if ack_days is not None:
        deployment.ack_days = ack_days
    deployment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            deployment.save()
    except IntegrityError:
        raise ApplicationError(_("This department already has a commitment for it.")) from None
    if requirement.status == Status.DEPLOYED:
        _start_acknowledgement(deployment, requirement=requirement, changed=False)
    return deployment


@transaction.atomic
def deployment_update(
    *, deployment: Deployment, actor: User, commitment: str, ack_days: int
) -> Deployment:
    """Change a department's commitment. A new commitment on a live deployment needs a
    new acknowledgement too (its wording is what the head agreed to)."""
    _require_qm(actor)
    deployment = lock(deployment)
    requirement = deployment.requirement
    if requirement.status == Status.RETIRED:
        raise ApplicationError(_("A retired requirement's deployments cannot be changed."))
    commitment = (commitment or "").strip()
    commitment_changed = commitment != deployment.commitment
    deployment.commitment = commitment
    deployment.ack_days = ack_days
    deployment.full_clean(validate_constraints=False)
    deployment.save()
    if commitment_changed and requirement.status == Status.DEPLOYED:
        # Re-ask the head: the commitment they acknowledged is not this one. Their
        # earlier acknowledgement stays in the log and in the deployment's history.
        deployment.acknowledged_revision = None
        deployment.acknowledged_by = None
        deployment.acknowledged_at = None
        now = timezone.now()
        deployment.ack_due_at = now + dt.timedelta(days=deployment.ack_days)
        ACK_LADDER.restart(deployment, at=deployment.ack_due_at)
        deployment.save()
        change = deployment.history.order_by("-history_id").values_list("history_id", flat=True)
        _notify_department(
            deployment, requirement, changed=True, event=f"-commitment-{change.first()}"
        )
    return deployment


@transaction.atomic
def deployment_delete(*, deployment: Deployment, actor: User) -> None:
    _require_qm(actor)
    if deployment.requirement.status != Status.ACCEPTED:
        raise ApplicationError(
            _("Only a deployment of a requirement not yet deployed can be removed.")
        )
    deployment.delete()


@transaction.atomic
def deployment_acknowledge(*, deployment: Deployment, actor: User, comment: str = "") -> Deployment:
    """The department head acknowledges the current revision of a deployed need."""
    deployment = locked(
        Deployment.objects.select_related("requirement", "department").filter(pk=deployment.pk),
        skip_locked=False,
    ).get()
    requirement = deployment.requirement
    if deployment.department_id not in headed_department_ids(actor):
        raise ApplicationError(
            _("Only the head of %(d)s can acknowledge this need.")
            % {"d": deployment.department.name}
        )
    if requirement.status != Status.DEPLOYED:
        raise ApplicationError(_("Only a deployed need can be acknowledged."))
    if deployment.acknowledged_revision == requirement.revision:
        raise ApplicationError(_("You have already acknowledged this revision."))
    now = timezone.now()
    DeploymentAcknowledgement.objects.create(
        deployment=deployment, revision=requirement.revision, user=actor, comment=comment.strip()
    )
    deployment.acknowledged_revision = requirement.revision
    deployment.acknowledged_by = actor
    deployment.acknowledged_at = now
    deployment.ack_comment = comment.strip()
    ACK_LADDER.stop(deployment)
    deployment.save()
    return deployment


@transaction.atomic
def brief_mark_read(*, deployment: Deployment, actor: User) -> BriefRead:
    """A staff member of the department marks the current revision of a brief read.
    Marking it twice is harmless (the first read is kept)."""
    requirement = deployment.requirement
    if not Membership.objects.filter(department_id=deployment.department_id, user=actor).exists():
        raise ApplicationError(_("Only staff of the department mark its briefs read."))
    if requirement.status != Status.DEPLOYED:
        raise ApplicationError(_("Only a deployed need can be marked read."))
    read, _created = BriefRead.objects.get_or_create(
        deployment=deployment, user=actor, revision=requirement.revision
    )
    return read


# --- Scheduled work --------------------------------------------------------------------


def _quality_managers() -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .exclude(email="")
        .order_by("pk")
    )


def _reminder(deployment: Deployment, step: int) -> None:
    head = deployment.department.head
    requirement = deployment.requirement
    message_queue(
        key=f"ack-reminder:{deployment.pk}:{requirement.revision}:{step}",
        kind="ack_reminder",
        recipient=head.email,
        subject=(
            _("Reminder %(step)s: please acknowledge “%(title)s”")
            % {"step": step, "title": requirement.title}
        )[:200],
        body=_(
            "Hello %(name)s,\n\nThe customer need “%(title)s” deployed to %(department)s "
            "was due for your acknowledgement on %(due)s.\n\nYour department's commitment: "
            "%(commitment)s\n\nAcknowledge it here: %(url)s\n"
        )
        % {
            "name": head,
            "title": requirement.title,
            "department": deployment.department.name,
            "due": deployment.ack_due_at.date().isoformat() if deployment.ack_due_at else "—",
            "commitment": deployment.commitment,
            "url": _brief_url(deployment),
        },
    )


def _escalate(deployment: Deployment) -> None:
    requirement = deployment.requirement
    for manager in _quality_managers():
        message_queue(
            key=f"ack-escalation:{deployment.pk}:{requirement.revision}:{manager.pk}",
            kind="ack_escalation",
            recipient=manager.email,
            subject=(
                _("Not acknowledged: “%(title)s” in %(department)s")
                % {"title": requirement.title, "department": deployment.department.code}
            )[:200],
            body=_(
                "The customer need “%(title)s” deployed to %(department)s is still not "
                "acknowledged after two reminders to %(head)s.\n\n%(url)s\n"
            )
            % {
                "title": requirement.title,
                "department": deployment.department.name,
                "head": deployment.department.head or _("(no head named)"),
                "url": _brief_url(deployment),
            },
        )


def _has_head(deployment: Deployment) -> bool:
    head = deployment.department.head
    return head is not None and head.is_active and bool(head.email)


# Reminder 1 when the acknowledgement is late, reminder 2 REMINDER_INTERVAL_DAYS later,
# then the escalation to the quality managers as long again later. A department without
# a head (or one without an e-mail address) is escalated at once.
ACK_LADDER = Ladder(
    steps=[
        Step("remind", when=_has_head),
        Step("remind_again", after=dt.timedelta(days=REMINDER_INTERVAL_DAYS), when=_has_head),
        Step("escalate", after=dt.timedelta(days=REMINDER_INTERVAL_DAYS)),
    ],
    level_field="reminder_step",
    next_field="next_action_at",
)


def _ack_step(deployment: Deployment, step: Step) -> None:
    if step.name == "escalate":
        _escalate(deployment)
    else:
        _reminder(deployment, ACK_LADDER.level(step))


@transaction.atomic
def acknowledgements_remind_overdue(
    *, now: dt.datetime | None = None, limit: int = SCAN_BATCH
) -> int:
    """Scanner: for each deployed, unacknowledged deployment whose `next_action_at` has
    come, take the next step (reminder 1, reminder 2, then escalation to the quality
    managers) and advance `reminder_step`/`next_action_at` in the same transaction. Each
    step's message has its own key, so it goes out once whatever the retries.
    A department without a head is escalated at once. Returns the number of steps taken.
    """
    now = now or timezone.now()
    due = due_rows(
        Deployment.objects.filter(requirement__status=Status.DEPLOYED)
        .exclude(acknowledged_revision=F("requirement__revision"))
        .select_related("requirement", "department", "department__head"),
        now=now,
        limit=limit,
    )
    for deployment in due:
        ACK_LADDER.advance(deployment, now=now, run=_ack_step)
    return len(due)


def _iso_week(now: dt.datetime) -> str:
    year, week, _day = timezone.localtime(now).isocalendar()
    return f"{year}-W{week:02d}"


@transaction.atomic
def digest_send_weekly(*, now: dt.datetime | None = None) -> int:
    """Weekly digest per department: needs deployed to it, or changed, in the last 7 days.

    One message per person per department per ISO week (key
    `need-digest:<department>:<year>-W<week>:<person>`), so running the task every day, or
    twice, sends one digest a week. A department with nothing new gets nothing.
    Returns the number of messages written.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=7)
    week = _iso_week(now)
    recent = (
        Deployment.objects.filter(requirement__status=Status.DEPLOYED)
        .filter(Q(activated_at__gte=since) | Q(requirement__revised_at__gte=since))
        .select_related("requirement", "department", "department__head")
        .order_by("department_id", "requirement__title")
    )
    by_department: dict[int, list[Deployment]] = {}
    for deployment in recent:
        by_department.setdefault(deployment.department_id, []).append(deployment)
    written = 0
    weekly_keys = {
        f"need-digest:{department_id}:{week}:{person.pk}"
        for department_id, deployments in by_department.items()
        for person in _recipients(deployments[0].department)
    }
    already = set(Message.objects.filter(key__in=weekly_keys).values_list("key", flat=True))
    written = 0
    for deployments in by_department.values():
        department = deployments[0].department
        lines = []
        for d in deployments:
            changed = d.requirement.revision > 1 and d.requirement.revised_at >= since
            label = _("changed") if changed else _("new")
            lines.append(
                f"- [{label}] {d.requirement.title} (r{d.requirement.revision})\n"
                f"  {_('Commitment')}: {d.commitment}\n  {_brief_url(d)}"
            )
        body = (
            _("New and changed customer needs for %(department)s this week:")
            % {"department": department.name}
            + "\n\n"
            + "\n".join(lines)
        )
        for person in _recipients(department):
            key = f"need-digest:{department.pk}:{week}:{person.pk}"
            if key in already:
                continue
            message_queue(
                key=key,
                kind="need_digest",
                recipient=person.email,
                subject=(
                    _("Customer needs digest for %(department)s, %(week)s")
                    % {"department": department.name, "week": week}
                )[:200],
                body=body,
            )
            written += 1
    return written


# --- Review decisions citing requirements (traceability) --------------------------------


@transaction.atomic
def decision_cite(*, actor: User, decision, requirement: Requirement) -> DecisionCitation:
    """Record that a management review decision concerns a customer need (quality
    managers only). Citing twice changes nothing."""
    if not getattr(actor, "is_quality_manager", False):
        raise ApplicationError(_("Only a quality manager links review decisions to needs."))
    if requirement.status == Status.RETIRED:
        raise ApplicationError(_("A retired requirement cannot be cited."))
    citation, _created = DecisionCitation.objects.get_or_create(
        decision=decision, requirement=requirement, defaults={"cited_by": actor}
    )
    return citation


@transaction.atomic
def decision_uncite(*, actor: User, citation: DecisionCitation) -> None:
    if not getattr(actor, "is_quality_manager", False):
        raise ApplicationError(_("Only a quality manager links review decisions to needs."))
    citation.delete()
