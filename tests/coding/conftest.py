"""Topics with keywords and texts to code, shared by the coding tests."""

import pytest
from django.utils import timezone

from coding import services
from coding.models import Text, TopicKeyword
from tests.customers.factories import TopicFactory


@pytest.fixture
def battery(db):
    topic = TopicFactory(name="Battery life", slug="battery-life")
    for phrase in ("battery", "drains", "续航", "掉电快"):
        TopicKeyword.objects.create(topic=topic, phrase=phrase)
    return topic


@pytest.fixture
def screen(db):
    topic = TopicFactory(name="Screen durability", slug="screen-durability")
    for phrase in ("cracked", "碎屏"):
        TopicKeyword.objects.create(topic=topic, phrase=phrase)
    return topic


@pytest.fixture
def make_text(db):
    """`make_text("body", kind=..., department=...)`: a text recorded like a source's."""
    from tests.customers.factories import CustomerFactory

    def make(body, *, kind=Text.Kind.TICKET, department=None, customer=None, topic=None):
        # Any saved row serves as the source; a customer is a convenient one.
        source = CustomerFactory()
        return services.record_text(
            source=source,
            kind=kind,
            body=body,
            customer=customer or source,
            department=department,
            written_at=timezone.now(),
            imported_topic=topic,
        )

    return make
