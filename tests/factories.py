"""Factories with traits: ContactFactory(archived=True), ContactFactory(assigned=True), ..."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from contacts.models import Contact, Membership, Role, Stage, TimelineEntry, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw-for-tests-1")


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    company = factory.Faker("company")
    stage = Stage.PAST

    class Params:
        archived = factory.Trait(archived_at=factory.LazyFunction(timezone.now), stage=Stage.LOST)
        deleted = factory.Trait(
            archived_at=factory.LazyFunction(timezone.now),
            deleted_at=factory.LazyFunction(timezone.now),
            stage=Stage.LOST,
        )
        in_open_stage = factory.Trait(stage=Stage.ACTIVE)
        assigned = factory.Trait(
            assignee=factory.LazyAttribute(lambda o: MembershipFactory(workspace=o.workspace).user)
        )


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    contact = factory.SubFactory(ContactFactory)
    kind = "email"
    summary = factory.Faker("sentence")
