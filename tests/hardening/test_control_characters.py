"""Control characters typed (or pasted, or crafted) into the app's own forms: refused with a
clear message, by the same rule as the import (contacts/text.py), and nothing changes.

The search is refused rather than cleaned because it defines who a "Select all" acts on:
a filter silently rewritten would act on people the user never asked for.
"""

import pytest

from contacts.models import Contact
from tests.factories import ContactFactory
from tests.helpers import HTMX


@pytest.fixture
def people(workspace):
    return [
        ContactFactory(workspace=workspace, name="Ann Ames", company="Ames Co"),
        ContactFactory(workspace=workspace, name="Bo Bell", company="Bell Co"),
    ]


def archived():
    return set(Contact.objects.filter(archived_at__isnull=False).values_list("pk", flat=True))


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85"])
def test_a_search_with_a_control_character_is_refused_in_the_dialog_and_changes_nothing(as_member, people, character):
    code = f"U+{ord(character):04X}"
    params = {"audience": "my-people", "selection": "all", "q": f"An{character}n"}

    dialog = as_member.get("/bulk/archive/", params, headers=HTMX)
    assert dialog.status_code == 400
    assert f"The search cannot contain control characters ({code})." in dialog.content.decode()

    confirm = as_member.post("/bulk/archive/", {**params, "expected": "1"}, headers=HTMX)
    assert confirm.status_code == 400
    assert f"The search cannot contain control characters ({code})." in confirm.content.decode()
    assert archived() == set()


def test_a_search_with_a_control_character_lists_no_one(as_member, people):
    response = as_member.get("/people/", {"q": "Ann\x1b"})
    assert response.status_code == 404
    assert "Ann Ames" not in response.content.decode() and "Bo Bell" not in response.content.decode()


def test_a_search_with_a_tab_is_still_a_search(as_member, people):
    response = as_member.get("/people/", {"q": "Ames\t"})
    assert response.status_code == 200
    assert "Ann Ames" in response.content.decode() and "Bo Bell" not in response.content.decode()
