"""factory_boy factories for the organisation core. Each app adds its own factories in
tests/<app>/factories.py and imports these for people and departments."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from qms.models import Department, Membership, Message, User

TEST_PASSWORD = "a-test-password-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = User.Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class QualityManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"qm{n}")
    role = User.Role.QUALITY_MANAGER


class ViewerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"viewer{n}")
    role = User.Role.VIEWER


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"D{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    key = factory.Sequence(lambda n: f"test-message:{n}")
    kind = "test"
    recipient = factory.Sequence(lambda n: f"person{n}@example.com")
    subject = "A subject"
    body = "A body"
    next_action_at = factory.LazyFunction(timezone.now)
