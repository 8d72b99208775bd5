"""The research sources' part of a customer's privacy export and erasure
(qms/privacy_registry.py): purchases, after-sales tickets, interviews (with their
history) and the findings coded from them. Erasure blanks the free text and keeps the
rows, so the Pareto counts and purchase figures stay true."""

from django.utils import timezone

from qms.privacy_registry import privacy, rows

from .models import Interview, InterviewFinding, Purchase, Ticket


def export_purchases(subject):
    return rows(
        subject.customer.purchases.all(),
        ("external_id", "product", "quantity", "amount", "purchased_at"),
    )


def export_tickets(subject):
    return rows(
        subject.customer.tickets.all(),
        (
            "external_id",
            "product",
            "topic__slug",
            "opened_at",
            "closed_at",
            "description",
            "agent_notes",
            "resolution",
        ),
    )


def erase_tickets(subject):
    subject.customer.tickets.update(
        resolution="", description="", agent_notes="", updated_at=timezone.now()
    )


def export_interviews(subject):
    return rows(subject.customer.interviews.all(), ("id", "title", "held_on", "notes"))


def export_interview_history(subject):
    return rows(
        Interview.history.filter(customer_id=subject.customer.pk).order_by("history_date"),
        ("history_date", "id", "title", "held_on", "notes"),
    )


def erase_interviews(subject):
    """The notes go and the title becomes neutral (titles often name the person); the
    interview, its date and its coded findings stay."""
    title = f"Interview with {subject.placeholder}"
    subject.customer.interviews.update(title=title, notes="", updated_at=timezone.now())
    Interview.history.filter(customer_id=subject.customer.pk).update(title=title, notes="")


def export_findings(subject):
    return rows(
        InterviewFinding.objects.filter(interview__customer=subject.customer),
        ("interview_id", "topic__slug", "note"),
    )


def erase_findings(subject):
    InterviewFinding.objects.filter(interview__customer=subject.customer).update(
        note="", updated_at=timezone.now()
    )


def register():
    privacy.register(
        "purchases", models=(Purchase,), export=export_purchases, erase=lambda subject: None
    )
    privacy.register("tickets", models=(Ticket,), export=export_tickets, erase=erase_tickets)
    privacy.register(
        "interviews", models=(Interview,), export=export_interviews, erase=erase_interviews
    )
    privacy.register(
        "interview_history",
        models=(Interview.history.model,),
        export=export_interview_history,
        erase=lambda subject: None,  # scrubbed with the interviews
    )
    privacy.register(
        "interview_findings",
        models=(InterviewFinding,),
        export=export_findings,
        erase=erase_findings,
    )
