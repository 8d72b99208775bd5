import factory
from factory.django import DjangoModelFactory

from requirements.models import Deployment, Requirement
from tests.customers.factories import SegmentFactory, TopicFactory  # noqa: F401 - shared
from tests.factories import DepartmentFactory


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
