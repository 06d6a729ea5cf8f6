"""Fixtures the bulk action tests share."""

import pytest

from contacts.models import Stage
from tests.factories import ContactFactory


@pytest.fixture
def three(workspace):
    """Two who can be archived and one in an open stage."""
    return [
        ContactFactory(workspace=workspace, name="Lou Lost", stage=Stage.LOST),
        ContactFactory(workspace=workspace, name="Nia Nostage", stage=Stage.NONE),
        ContactFactory(workspace=workspace, name="Abe Active", stage=Stage.ACTIVE),
    ]
