"""Reading call logs: numbers normalized by the workspace's region, bad rows skipped with the line."""

from datetime import UTC, datetime

from contacts.models import Contact, EntryKind
from sync.models import DiscoveredPerson
from sync.report import Skip
from sync.run import sync_calls
from tests.factories import ContactFactory
from tests.sync.files import auto_create, timeline, write_calls

# --- Calls -------------------------------------------------------------------------------------------


def test_calls_are_matched_by_normalized_phone_with_the_workspace_region(team, tmp_path):
    pat = ContactFactory(workspace=team, phone="(415) 555-0100")
    path = write_calls(
        tmp_path,
        "number,direction,started_at,duration_seconds,name\n"
        "415-555-0100,in,2024-01-10T09:30:00+00:00,192,Pat\n"
        "+1 415 555 0100,out,2024-01-11T10:00:00+00:00,45,\n",
    )
    report = sync_calls(team, path)
    assert (report.read, report.added) == (2, 2)
    assert timeline(pat) == [
        (EntryKind.CALL, "in", "Incoming call · 3 min 12 s"),
        (EntryKind.CALL, "out", "Outgoing call · 45 s"),
    ]
    pat.refresh_from_db()
    assert pat.last_touch_at == datetime(2024, 1, 11, 10, 0, tzinfo=UTC)
    assert set(pat.timeline.values_list("source_key", flat=True)) == {
        "call:+14155550100@2024-01-10T09:30:00+00:00",
        "call:+14155550100@2024-01-11T10:00:00+00:00",
    }

    again = sync_calls(team, path)
    assert (again.added, again.already_synced, pat.timeline.count()) == (0, 2, 2)


def test_the_workspace_default_region_reads_numbers_without_a_country_code(team, tmp_path):
    team.default_region = "GB"
    team.save()
    sync_calls(team, write_calls(tmp_path, "020 7946 0018,in,2024-01-10T09:30:00+00:00,10,Lon Don\n"))
    assert DiscoveredPerson.objects.get().value == "+442079460018"


def test_unknown_callers_are_discovered_or_created(team, tmp_path):
    path = write_calls(
        tmp_path,
        "number,direction,started_at,duration_seconds,name\n+14155550142,in,2024-01-10T09:30:00Z,60,Quinn Caller\n",
    )
    sync_calls(team, path)
    found = DiscoveredPerson.objects.get()
    assert (found.kind, found.value, found.name, found.display_address) == (
        "phone",
        "+14155550142",
        "Quinn Caller",
        "+1 415-555-0142",
    )

    auto_create(team)
    report = sync_calls(team, write_calls(tmp_path, "+14155550142,out,2024-01-12T09:30:00Z,5,\n", "more.csv"))
    quinn = Contact.objects.get()
    assert (report.created, quinn.name, quinn.phone_e164) == (1, "Quinn Caller", "+14155550142")
    assert [k for k, _, _ in timeline(quinn)] == [EntryKind.CALL, EntryKind.CALL, EntryKind.CREATED_BY_SYNC]
    assert not DiscoveredPerson.objects.exists()


def test_bad_call_rows_are_skipped_with_line_and_reason(team, tmp_path):
    pat = ContactFactory(workspace=team, phone="+14155550100")
    path = write_calls(
        tmp_path,
        b"number,direction,started_at,duration_seconds,name\n"
        b"+14155550100,in,2024-01-10T09:30:00+00:00,10,\n"
        b"12,in,2024-01-10T09:31:00+00:00,10,\n"
        b"call me maybe,in,2024-01-10T09:32:00+00:00,10,\n"
        b"+14155550100,sideways,2024-01-10T09:33:00+00:00,10,\n"
        b"+14155550100,in,last tuesday,10,\n"
        b"+14155550100,in,2024-01-10T09:35:00+00:00,-4,\n"
        b"+14155550100,in,2024-01-10T09:36:00+00:00,10,J\xff\xfe\n"
        b"\n"
        b"+14155550100,out,2024-01-10T09:37:00+00:00,10,\n"
        b"+14155550100,in,2024-01-10T09:3",
    )
    report = sync_calls(team, path)
    assert report.skipped == [
        Skip("line 3", "bad phone number '12'"),
        Skip("line 4", "bad phone number 'call me maybe'"),
        Skip("line 5", "unknown direction 'sideways' (use in or out)"),
        Skip("line 6", "unparseable started_at 'last tuesday'"),
        Skip("line 7", "bad duration_seconds '-4'"),
        Skip("line 8", "undecodable bytes (not UTF-8 text)"),
        Skip("line 11", "unparseable started_at '2024-01-10T09:3'"),
    ]
    assert report.read == 9 and report.added == 2 and pat.timeline.count() == 2
    assert "Skipped: 7 calls (2 bad phone number, " in "\n".join(report.lines())
