"""Sync against bytes no mail program should send: control characters in headers and call logs,
and a message the database refuses. Run on SQLite and PostgreSQL (which cannot store NUL)."""

import pytest
from django.db import DataError, connection

from contacts.models import Contact, TimelineEntry
from sync import mailbox
from sync.models import DiscoveredInteraction, DiscoveredPerson
from sync.report import Skip
from sync.run import sync_calls, sync_mailbox
from tests.factories import ContactFactory
from tests.sync.files import DATED, TO_US, auto_create, good, raw, raw_mbox, run, stored, timeline, write_calls

NO_CONTROLS = "\x00\x1b\x7f"


def texts_stored() -> list[str]:
    """Every text sync wrote, to look for control characters in."""
    texts = list(Contact.objects.values_list("name", flat=True))
    texts += TimelineEntry.objects.values_list("summary", flat=True)
    texts += TimelineEntry.objects.values_list("source_key", flat=True)
    texts += DiscoveredPerson.objects.values_list("name", flat=True)
    texts += DiscoveredPerson.objects.values_list("last_summary", flat=True)
    texts += DiscoveredInteraction.objects.values_list("summary", flat=True)
    texts += DiscoveredInteraction.objects.values_list("source_key", flat=True)
    return texts


def assert_no_control_characters_stored():
    bad = [text for text in texts_stored() if any(c in text for c in NO_CONTROLS)]
    assert bad == []


# Each header with a NUL, raw and as an RFC 2047 encoded word (=00 decodes to NUL).
NUL_HEADERS = {
    "raw From name": (b"From: Erin\x00 Eve <erin@example.com>", b"Subject: Hello", b"Message-ID: <nul1@x>"),
    "encoded From name": (b"From: =?utf-8?q?Erin=00_Eve?= <erin@example.com>", b"Subject: Hello", b"Message-ID: <n@x>"),
    "raw Subject": (b"From: Erin Eve <erin@example.com>", b"Subject: Hel\x00lo", b"Message-ID: <nul3@x>"),
    "encoded Subject": (b"From: Erin Eve <erin@example.com>", b"Subject: =?utf-8?q?Hel=00lo?=", b"Message-ID: <n4@x>"),
    "raw Message-ID": (b"From: Erin Eve <erin@example.com>", b"Subject: Hello", b"Message-ID: <nul\x005@x>"),
    "encoded Message-ID": (b"From: Erin Eve <erin@example.com>", b"Subject: Hello", b"Message-ID: <=?utf-8?q?=00?=@x>"),
}


@pytest.mark.parametrize("where", NUL_HEADERS)
def test_a_nul_in_a_header_is_dropped_and_the_message_synced_once(team, tmp_path, where):
    path = raw_mbox(tmp_path, [raw(*NUL_HEADERS[where], TO_US, DATED), good(1)])

    report = sync_mailbox(team, path)

    assert report.skipped == []
    assert (report.read, report.discovered, report.discovered_interactions) == (2, 2, 2)
    erin = DiscoveredPerson.objects.get(value="erin@example.com")
    assert (erin.name, erin.last_summary) == ("Erin Eve", "Hello")
    assert_no_control_characters_stored()

    again = sync_mailbox(team, path)
    assert (again.skipped, again.discovered_interactions, again.already_synced) == ([], 0, 2)


@pytest.mark.parametrize("where", ["raw From name", "encoded Subject", "raw Message-ID"])
def test_a_nul_in_an_eml_file_is_dropped_and_the_person_gets_the_email(team, tmp_path, where):
    auto_create(team)
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "1.eml").write_bytes(raw(*NUL_HEADERS[where], TO_US, DATED))

    report = sync_mailbox(team, tmp_path / "mail")

    assert (report.skipped, report.created) == ([], 1)
    erin = Contact.objects.get(email="erin@example.com")
    assert erin.name == "Erin Eve"
    assert [summary for _, _, summary in timeline(erin)][:1] == ["Hello"]
    assert_no_control_characters_stored()


def test_other_control_characters_and_line_breaks_in_names_and_subjects_are_cleaned(team, tmp_path):
    path = raw_mbox(
        tmp_path,
        [
            raw(
                b"From: =?utf-8?q?Erin=1B=5B2J=7F_=0D=0AEve?= <erin@example.com>",
                b"Subject: =?utf-8?q?caf=C3=A9=C2=85=09bar=01?=",  # U+0085 (NEL), a tab and U+0001
                TO_US,
                DATED,
            ),
        ],
    )
    sync_mailbox(team, path)
    erin = DiscoveredPerson.objects.get()
    assert (erin.name, erin.last_summary) == ("Erin[2J Eve", "café bar")


def test_a_lone_surrogate_from_an_encoded_word_is_dropped(team, tmp_path):
    # The unicode-escape "charset" decodes \ud800 to a lone surrogate, which no database can store.
    path = raw_mbox(
        tmp_path, [raw(b"From: Erin <erin@example.com>", b"Subject: =?unicode-escape?q?a=5Cud800b?=", TO_US, DATED)]
    )
    report = sync_mailbox(team, path)
    assert report.skipped == [] and DiscoveredPerson.objects.get().last_summary == "ab"


def test_an_address_with_a_nul_is_not_an_address(team, tmp_path):
    path = raw_mbox(tmp_path, [raw(b"From: Erin <erin\x00@example.com>", TO_US, DATED), good(1)])
    report = sync_mailbox(team, path)
    assert report.skipped == [Skip("message 1", "unparseable From header")]
    assert report.discovered == 1 and not DiscoveredPerson.objects.filter(value__contains="erin").exists()


# --- Call logs ----------------------------------------------------------------------------------------


def test_a_call_log_with_nul_bytes_syncs_the_calls_it_can_and_says_why_not_the_rest(team, tmp_path):
    pat = ContactFactory(workspace=team, name="Pat", phone="+14155550100")
    path = write_calls(
        tmp_path,
        b"number,direction,started_at,duration_seconds,name\n"
        b"+14155550142,in,2024-01-10T09:30:00+00:00,10,Quinn\x00 Caller\n"
        b"+1415555\x000100,in,2024-01-10T09:31:00+00:00,10,\n"
        b"+14155550100,in\x00,2024-01-10T09:32:00+00:00,10,\n"
        b"+14155550100,in,2024-01-1\x000T09:33:00+00:00,10,\n"
        b"+14155550100,out,2024-01-10T09:34:00+00:00,1\x00,\n"
        b"+14155550100,out,2024-01-10T09:35:00+00:00,10,Pat\n",
    )

    report = sync_calls(team, path)

    assert report.skipped == [
        Skip("line 3", "bad phone number '+1415555\\x000100'"),
        Skip("line 4", "unknown direction 'in\\x00' (use in or out)"),
        Skip("line 5", "unparseable started_at '2024-01-1\\x000T09:33:00+00:00'"),
        Skip("line 6", "bad duration_seconds '1\\x00'"),
    ]
    assert (report.read, report.added, report.discovered) == (6, 1, 1)
    assert DiscoveredPerson.objects.get().name == "Quinn Caller"
    assert pat.timeline.count() == 1
    assert_no_control_characters_stored()
    assert "  line 3: bad phone number '+1415555\\x000100'" in run("sync_calls", "acme", str(path))


def test_a_call_at_the_edge_of_the_calendar_is_skipped_not_fatal(team, tmp_path):
    path = write_calls(
        tmp_path,
        "+14155550100,in,0001-01-01T00:00:00+05:00,10,\n"
        "+14155550100,in,9999-12-31T23:00:00-05:00,10,\n"
        "+14155550100,in,2024-01-10T09:30:00+00:00,10,\n",
    )
    report = sync_calls(team, path)
    assert report.skipped == [
        Skip("line 1", "started_at '0001-01-01T00:00:00+05:00' is out of range"),
        Skip("line 2", "started_at '9999-12-31T23:00:00-05:00' is out of range"),
    ]
    assert report.discovered_interactions == 1


# --- A message the database refuses -----------------------------------------------------------------

POISON = "poison-pill"
REFUSED = "cannot be stored: simulated: the database cannot store this value"


def refuse_poison(execute, sql, params, many, context):
    """The database refusing any statement that carries the poisoned subject, as PostgreSQL refuses NUL."""
    rows = params if many else [params]
    if any(POISON in str(value) for row in rows or [] for value in (row or [])):
        raise DataError("simulated: the database cannot store this value")
    return execute(sql, params, many, context)


def mailbox_with_poison(tmp_path, name="poison.mbox"):
    ann = b"From: Ann <ann@example.com>"
    return raw_mbox(
        tmp_path,
        [
            good(1),
            raw(ann, TO_US, DATED, b"Subject: " + POISON.encode(), b"Message-ID: <poison@x>"),
            good(2),
            raw(b"From: Bo <bo@example.com>", TO_US, DATED, b"Subject: from Bo", b"Message-ID: <bo@x>"),
        ],
        name=name,
    )


def test_a_message_the_database_refuses_is_skipped_and_counted_and_the_rest_synced(team, tmp_path):
    auto_create(team)
    ann = ContactFactory(workspace=team, name="Ann", email="ann@example.com")
    path = mailbox_with_poison(tmp_path)

    with connection.execute_wrapper(refuse_poison):
        report = sync_mailbox(team, path)

    assert report.skipped == [Skip("message 2", REFUSED)]
    # Nothing the failed batch counted before it was rolled back is left in the counts.
    assert (report.read, report.added, report.created, report.already_synced) == (4, 3, 1, 0)
    assert sorted(s for _, _, s in timeline(ann)) == ["good 1", "good 2"]
    assert [s for _, _, s in timeline(Contact.objects.get(email="bo@example.com"), ["email"])] == ["from Bo"]
    assert "Skipped: 1 message (1 cannot be stored)" in report.lines()

    before = stored()
    with connection.execute_wrapper(refuse_poison):
        again = sync_mailbox(team, path)
    assert again.skipped == [Skip("message 2", REFUSED)]
    assert (again.added, again.already_synced) == (0, 3) and stored() == before


def test_the_sync_command_reports_a_refused_message_and_exits_normally(team, tmp_path):
    ContactFactory(workspace=team, name="Ann", email="ann@example.com")
    with connection.execute_wrapper(refuse_poison):
        out = run("sync_mailbox", "acme", str(mailbox_with_poison(tmp_path)))
    assert "Interactions added: 2" in out.splitlines()
    assert f"  message 2: {REFUSED}" in out.splitlines()


@pytest.mark.postgres
def test_on_postgresql_a_nul_that_reaches_the_database_costs_one_message_not_the_sync(team, tmp_path, monkeypatch):
    """Without the cleaning, PostgreSQL refuses the NUL for real; the batch recovers and goes on."""
    monkeypatch.setattr(mailbox, "single_line", lambda text, max_length=None: text[:max_length])
    ann = ContactFactory(workspace=team, name="Ann", email="ann@example.com")
    path = raw_mbox(
        tmp_path,
        [good(1), raw(b"From: Ann <ann@example.com>", TO_US, DATED, b"Subject: a\x00b", b"Message-ID: <z@x>"), good(2)],
    )

    report = sync_mailbox(team, path)

    assert report.skipped == [
        Skip("message 2", "cannot be stored: PostgreSQL text fields cannot contain NUL (0x00) bytes")
    ]
    assert sorted(s for _, _, s in timeline(ann)) == ["good 1", "good 2"]
    assert Contact.objects.filter(email="ann@example.com").exists()


def test_reader_bugs_on_one_message_are_skipped_with_a_reason(team, tmp_path, monkeypatch):
    """Whatever a parser raises on one message's bytes, the others still sync."""
    real = mailbox.message_sightings

    def fragile(data, position, own):
        if b"good 1" in data:
            raise IndexError("list index out of range")
        return real(data, position, own)

    monkeypatch.setattr(mailbox, "message_sightings", fragile)
    report = sync_mailbox(team, raw_mbox(tmp_path, [good(1), good(2)]))
    assert report.skipped == [Skip("message 1", "malformed message (IndexError)")]
    assert report.discovered_interactions == 1


def test_a_good_message_after_a_refused_one_in_a_later_run_is_added(team, tmp_path):
    ann = ContactFactory(workspace=team, name="Ann", email="ann@example.com")
    with connection.execute_wrapper(refuse_poison):
        sync_mailbox(team, mailbox_with_poison(tmp_path))
    later = raw_mbox(tmp_path, [good(1), good(3)], name="later.mbox")
    report = sync_mailbox(team, later)
    assert (report.added, report.already_synced, report.skipped) == (1, 1, [])
    assert sorted(s for _, _, s in timeline(ann)) == ["good 1", "good 2", "good 3"]
