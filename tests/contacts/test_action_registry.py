"""Every bulk action is declared once, and a declaration is all a new action needs.

The menu, the dialog, the confirm, the admin's actions and Undo all read the registry
(contacts.bulk_actions); a throwaway action registered here shows up in each of them.
"""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from audiences.registry import AUDIENCES
from contacts import services
from contacts.bulk_actions import ACTIONS, AudienceKind, BulkAction, register
from contacts.bulk_actions.base import AdminWords, PutBack
from contacts.bulk_actions.registry import in_menu_order
from contacts.bulk_actions.undo import can_undo, undo
from contacts.models import Contact, Operation, Stage
from contacts.rules import IS_DELETED, NOT_ARCHIVED
from tests.factories import ContactFactory

HTMX = {"HX-Request": "true"}


def test_every_action_is_declared_in_its_own_module():
    modules = [type(action).__module__ for action in ACTIONS.values()]
    assert len(modules) == len(set(modules))
    assert all(module == f"contacts.bulk_actions.{name}" for module, name in zip(modules, ACTIONS))


def test_an_action_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        register(type(ACTIONS["archive"]))


def test_every_undo_names_a_declared_action_or_puts_values_back():
    for action in ACTIONS.values():
        assert action.undo is None or isinstance(action.undo, PutBack) or action.undo in ACTIONS, action.name


def test_undo_pairs_are_what_they_were():
    reverse = {name: a.undo for name, a in ACTIONS.items() if isinstance(a.undo, str)}
    assert reverse == {"archive": "restore", "restore": "archive", "delete": "undelete", "undelete": "delete"}
    assert ACTIONS["purge"].undo is None


def test_the_admin_offers_exactly_the_actions_that_declare_admin_words():
    contact_admin = site._registry[Contact]
    assert [f.__name__ for f in contact_admin.actions] == [
        "archive_people",
        "restore_people",
        "delete_people",
        "undelete_people",
    ]


class Hide(BulkAction):
    """A throwaway action: archives people (so the database constraint holds), undone by Restore."""

    name, label, past = "hide", "Hide", "hidden"
    menu_position = 15
    audiences = (AudienceKind.MY_PEOPLE,)
    undo = "restore"
    admin = AdminWords("Hide this person", "Hide selected people", verb="hidden")

    def blockers(self, workspace, options):
        return ACTIONS["archive"].blockers(workspace, options)

    def execute(self, *, actor, workspace, selected, options, expected):
        outcome = services.archive(actor=actor, workspace=workspace, selected=selected)
        Operation.objects.filter(pk=outcome.operation.pk).update(action="hide")
        outcome.operation.action = "hide"
        return outcome


@pytest.fixture
def hide(monkeypatch):
    monkeypatch.setitem(ACTIONS, "hide", Hide())
    return ACTIONS["hide"]


def test_a_new_action_appears_in_the_menu_of_its_audiences(hide, as_member, workspace):
    ContactFactory(workspace=workspace, stage=Stage.PAST)
    assert AUDIENCES["my-people"].actions == ("archive", "hide", "change_stage", "remove_assignee")
    assert "hide" not in AUDIENCES["archived"].actions
    assert "Hide" in as_member.get("/people/").content.decode()


def test_a_new_action_has_a_dialog_and_a_confirm(hide, as_member, workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    params = {"audience": "my-people", "selection": "ids", "ids": str(person.pk)}
    shown = as_member.get("/bulk/hide/", params, headers=HTMX).content.decode()
    assert "Hide 1 person?" in shown and "will be hidden" in shown
    response = as_member.post("/bulk/hide/", params, headers=HTMX)
    assert response.status_code == 200
    assert "1 person hidden" in response.content.decode()
    assert Contact.objects.get(pk=person.pk).archived_at is not None


def test_a_new_action_is_offered_in_the_admin(hide, admin_user):
    request = RequestFactory().get("/admin/contacts/contact/")
    request.user = admin_user
    admin_user.is_staff = admin_user.is_superuser = True
    assert "hide_people" in site._registry[Contact].get_actions(request)
    assert [a.name for a in in_menu_order()][:2] == ["archive", "hide"]


def test_a_new_action_is_undone_by_its_declared_reverse(hide, member, workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    outcome = hide.execute(
        actor=member, workspace=workspace, selected=Contact.objects.filter(pk=person.pk), options={}, expected=None
    )
    membership = member.memberships.get(workspace=workspace)
    assert can_undo(outcome.operation, membership)
    undone = undo(actor=member, operation=outcome.operation)
    assert undone.done == 1
    assert Contact.objects.get(pk=person.pk).archived_at is None


def test_blockers_come_from_the_rules_module():
    assert ACTIONS["delete"].blockers(None, {}) == (IS_DELETED, NOT_ARCHIVED)
