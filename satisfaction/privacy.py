"""The satisfaction surveys' part of a customer's privacy export and erasure
(qms/privacy_registry.py): invitations and their links, responses with every answer
(free-text comments included), follow-up cases with their notes and history.

Erasure keeps what the analysis counts — the response, its scores, choices, segment and
dates, the invitation's state — so NPS, CSAT, response rates and tallies are the same
after an erasure; it removes what a person wrote (comments, half-typed drafts, case
notes) and the personal links, which then no longer open anything."""

from django.utils import timezone

from qms.privacy_registry import privacy, rows

from .models import Answer, FollowUpCase, Invitation, InvitationLink, Response


def export_invitations(subject):
    return rows(
        Invitation.objects.filter(customer=subject.customer),
        (
            "wave__name",
            "language",
            "state",
            "scheduled_at",
            "sent_at",
            "opened_at",
            "completed_at",
            "reminders_sent",
            "draft_answers",
        ),
    )


def erase_invitations(subject):
    invitations = Invitation.objects.filter(customer=subject.customer)
    InvitationLink.objects.filter(invitation__in=invitations).delete()
    invitations.update(draft_answers={}, updated_at=timezone.now())


def export_invitation_links(subject):
    # The links themselves are stored only as hashes: what the customer had is the
    # number of links e-mailed and when.
    return rows(
        InvitationLink.objects.filter(invitation__customer=subject.customer),
        ("invitation__wave__name", "step", "created_at"),
    )


def export_responses(subject):
    responses = rows(
        Response.objects.filter(customer=subject.customer),
        ("id", "survey__title", "wave__name", "language", "submitted_at", "may_contact"),
    )
    answers = {}
    for answer in rows(
        Answer.objects.filter(response__customer=subject.customer).order_by("response_id", "id"),
        ("response_id", "question_code", "kind", "value_int", "choice__code", "value_text"),
    ):
        answers.setdefault(answer.pop("response_id"), []).append(answer)
    for response in responses:
        response["answers"] = answers.get(response["id"], [])
    return responses


def erase_answers(subject):
    Answer.objects.filter(response__customer=subject.customer).exclude(value_text="").update(
        value_text=""
    )


def export_follow_ups(subject):
    return rows(
        FollowUpCase.objects.filter(customer=subject.customer),
        ("reason", "state", "due_at", "note", "closed_at"),
    )


def export_follow_up_history(subject):
    return rows(
        FollowUpCase.history.filter(customer_id=subject.customer.pk).order_by("history_date"),
        ("history_date", "id", "reason", "state", "note"),
    )


def erase_follow_ups(subject):
    FollowUpCase.objects.filter(customer=subject.customer).update(
        note="", updated_at=timezone.now()
    )
    FollowUpCase.history.filter(customer_id=subject.customer.pk).update(note="")


def register():
    privacy.register(
        "survey_invitations",
        models=(Invitation,),
        export=export_invitations,
        erase=erase_invitations,
    )
    privacy.register(
        "survey_links",
        models=(InvitationLink,),
        export=export_invitation_links,
        erase=lambda subject: None,  # deleted with the invitations' drafts
    )
    privacy.register(
        "survey_responses",
        models=(Response, Answer),
        export=export_responses,
        erase=erase_answers,
    )
    privacy.register(
        "follow_up_cases",
        models=(FollowUpCase,),
        export=export_follow_ups,
        erase=erase_follow_ups,
    )
    privacy.register(
        "follow_up_history",
        models=(FollowUpCase.history.model,),
        export=export_follow_up_history,
        erase=lambda subject: None,  # scrubbed with the cases
    )
