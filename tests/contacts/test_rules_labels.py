"""The reasons speak the workspace's label set (moved from test_rules.py, whose `m` is now contacts.rules)."""

from contacts import models as m
from contacts.models import Stage
from tests.factories import ContactFactory


def test_real_estate_labels_appear_in_reasons(workspace):
    workspace.label_set = m.LabelSet.REAL_ESTATE
    workspace.save()
    person = ContactFactory(workspace=workspace, stage=Stage.ACTIVE)
    assert person.archive_blockers()[0].message == "Stage is In Contract — change or remove the stage"
