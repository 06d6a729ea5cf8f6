"""Fixtures the admin tests share: a superuser who is also an admin of the workspace, signed in."""

import pytest

from contacts.models import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def boss(workspace):
    """A superuser who is also an admin member of the workspace, as the services require."""
    user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    MembershipFactory(workspace=workspace, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def admin_client(client, boss):
    client.force_login(boss)
    return client
