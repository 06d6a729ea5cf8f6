"""Rules the database itself keeps, and the model declarations they come from.

The test database is built from the migrations, so a test that only writes bad rows would
still pass if a constraint were dropped from the model alone; validate_constraints() reads
the model's own declaration, so those tests pin the model too.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Stage
from tests.factories import ContactFactory

# --- deleted => archived (rule 2) ----------------------------------------------------------------


def test_the_model_declares_that_only_archived_people_can_be_deleted(workspace):
    person = ContactFactory.build(workspace=workspace, stage=Stage.LOST, deleted_at=timezone.now(), archived_at=None)
    with pytest.raises(ValidationError) as error:
        person.validate_constraints()
    assert error.value.messages == ["Only archived people can be deleted. Archive the person first."]
    person.archived_at = person.deleted_at
    person.validate_constraints()  # archived, then deleted: allowed


def test_the_model_declares_that_archived_people_have_no_open_stage_or_assignee(workspace, member):
    person = ContactFactory.build(workspace=workspace, stage=Stage.ACTIVE, archived_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        person.validate_constraints()
    assert error.value.messages == [
        "An archived person cannot have an open stage (Lead, Potential, Active) or an assignee. "
        "Restore the person to My People first."
    ]
    person.stage, person.assignee = Stage.LOST, member
    with pytest.raises(ValidationError):
        person.validate_constraints()
