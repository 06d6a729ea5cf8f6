"""Select-all at sizes the Django admin cannot handle: 10,000 people through the real endpoints,
and the number of queries the same for 10 and 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.bulk_actions import ACTIONS
from contacts.models import Contact, EntryKind, Stage, TimelineEntry
from tests.helpers import HTMX, confirmation_from_dialog, status_message


def make_people(workspace, n, **fields):
    Contact.objects.bulk_create(
        [Contact(workspace=workspace, name=f"Person {i:05}", stage=Stage.LOST, **fields) for i in range(n)],
        batch_size=2000,
    )


def select_all(audience, **extra):
    return {"audience": audience, "selection": "all", **extra}


def confirm_as_shown(client, action, params):
    """Open the dialog, then confirm it as its form does: the count and fingerprint it showed, typed."""
    shown = confirmation_from_dialog(client.get(f"/bulk/{action}/", params, headers=HTMX))
    return client.post(f"/bulk/{action}/", {**params, **shown, "typed_count": shown["expected"]}, headers=HTMX)


def test_archive_delete_and_purge_ten_thousand_selected_by_select_all(as_admin, workspace):
    make_people(workspace, 10_000)

    archived = as_admin.post("/bulk/archive/", select_all("my-people"), headers=HTMX)
    assert archived.status_code == 200
    assert "10000 people archived" in archived.content.decode()
    assert Contact.objects.archived().count() == 10_000
    assert TimelineEntry.objects.filter(kind=EntryKind.ARCHIVED).count() == 10_000

    deleted = confirm_as_shown(as_admin, "delete", select_all("archived"))
    assert deleted.status_code == 200, deleted.content.decode()[:500]
    assert "10000 people moved to Recently Deleted" in deleted.content.decode()
    assert Contact.objects.deleted().count() == 10_000

    purged = confirm_as_shown(as_admin, "purge", select_all("deleted"))
    assert purged.status_code == 200
    assert "10000 people deleted forever" in purged.content.decode()
    assert Contact.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


@pytest.mark.parametrize(
    "action, audience, fields, afterwards",
    [
        ("archive", "my-people", {}, Contact.objects.archived),
        ("restore", "archived", {"archived_at": timezone.now()}, Contact.objects.in_my_people),
        ("delete", "archived", {"archived_at": timezone.now()}, Contact.objects.deleted),
        (
            "undelete",
            "deleted",
            {"archived_at": timezone.now(), "deleted_at": timezone.now()},
            Contact.objects.archived,
        ),
        ("purge", "deleted", {"archived_at": timezone.now(), "deleted_at": timezone.now()}, None),
    ],
)
def test_select_all_confirm_uses_the_same_queries_for_10_and_1000(
    as_admin, workspace, action, audience, fields, afterwards
):
    def queries_for(n):
        make_people(workspace, n, **fields)
        params = select_all(audience)
        if ACTIONS[action].exact_count:
            shown = confirmation_from_dialog(as_admin.get(f"/bulk/{action}/", params, headers=HTMX))
            params |= {**shown, "typed_count": shown["expected"]}
        with CaptureQueriesContext(connection) as queries:
            response = as_admin.post(f"/bulk/{action}/", params, headers=HTMX)
        message = status_message(response)
        assert message == f"{n} people {ACTIONS[action].past}"
        assert Contact.objects.count() == (0 if afterwards is None else n)
        if afterwards is not None:
            assert afterwards().count() == n
            assert TimelineEntry.objects.count() == n
        Contact.objects.all().delete()
        return len(queries)

    assert queries_for(10) == queries_for(1000)
