"""Codings where the other apps use them: complaints recorded as texts for their
department, a requirement citing the texts behind it, the customer 360."""

import pytest

from coding import services
from coding.models import Coding, Text
from crm import services as crm_services
from crm.models import Complaint
from tests.requirements.factories import RequirementFactory
from tests.research.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_complaint_is_a_text_of_its_department_with_its_topic(
    front_desk, front_desk_head, battery, make_text
):
    from tests.customers.factories import CustomerFactory

    complaint = crm_services.complaint_intake(
        customer=CustomerFactory(),
        description="The room key never worked",
        topic=battery,
        severity=Complaint.Severity.HIGH,
        department=front_desk,
        actor=front_desk_head,
    )

    text = Text.objects.get(kind=Text.Kind.COMPLAINT, object_id=complaint.pk)
    assert text.department == front_desk
    assert text.body == "The room key never worked"
    assert list(text.codings.values_list("origin", flat=True)) == [Coding.Origin.IMPORTED]


def test_a_requirement_cites_the_tickets_and_comments_behind_it(
    client_for, quality_manager, battery, make_text
):
    requirement = RequirementFactory()
    requirement.topics.add(battery)
    for _ in range(3):
        TicketFactory(topic=battery)
    make_text("battery drains", kind=Text.Kind.SURVEY_COMMENT)
    services.code_pending()

    page = client_for(quality_manager).get(f"/customers/requirements/{requirement.pk}/")

    assert page.status_code == 200
    assert "Behind it: 3 tickets and 1 comment coded to its topics." in page.content.decode()


def test_the_customer_360_shows_what_the_customer_writes_about(
    client_for, quality_manager, battery
):
    ticket = TicketFactory(description="battery drains by noon", topic=None)
    services.code_pending()

    page = client_for(quality_manager).get(f"/customers/{ticket.customer_id}/360/")

    assert page.status_code == 200
    assert page.context["coded_topics"] == [(battery, 1)]
