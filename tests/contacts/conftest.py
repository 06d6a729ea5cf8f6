"""Fixtures the contacts tests share."""

import pytest

from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def dana(workspace):
    """Dana Lee, a member of the workspace besides the one signed in: an assignee to find in messages."""
    return MembershipFactory(
        workspace=workspace, user=UserFactory(username="dana", first_name="Dana", last_name="Lee")
    ).user
