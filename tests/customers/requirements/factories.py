import factory
from factory.django import DjangoModelFactory

from customers.models import Deployment, Requirement, Segment, Topic
from tests.factories import DepartmentFactory


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Segment {n}")
    code = factory.Sequence(lambda n: f"segment-{n}")


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class RequirementFactory(DjangoModelFactory):
    class Meta:
        model = Requirement

    title = factory.Sequence(lambda n: f"Requirement {n}")
    description = "What customers need."
    kind = Requirement.Kind.STATED
    acceptance_criterion = "Checkout wait under 5 minutes"


class DeploymentFactory(DjangoModelFactory):
    class Meta:
        model = Deployment

    requirement = factory.SubFactory(RequirementFactory, status=Requirement.Status.ACCEPTED)
    department = factory.SubFactory(DepartmentFactory)
    commitment = "Do the thing."
