"""Reading mailboxes: bad messages are skipped with the reason and where; the rest syncs."""

import pytest

from sync.models import DiscoveredPerson
from sync.report import Skip, SourceUnreadable
from sync.run import sync_calls, sync_mailbox
from tests.factories import ContactFactory
from tests.sync.files import DATED, FROM_ANN, TO_US, email, good, raw, raw_mbox, stored, timeline, write_calls

# --- Bad input ---------------------------------------------------------------------------------------


def test_bad_messages_are_skipped_with_reason_and_position_and_the_rest_is_imported(team, tmp_path):
    ann = ContactFactory(workspace=team, name="Ann", email="ann@example.com", company="Ann Co")
    path = raw_mbox(
        tmp_path,
        [
            good(1),
            raw(FROM_ANN, TO_US, b"Subject: no date"),
            raw(FROM_ANN, TO_US, b"Date: yesterday-ish"),
            raw(TO_US, DATED),
            raw(b"From: not an address", TO_US, DATED),
            raw(FROM_ANN, TO_US, b"Subject: caf\xe9 \xff", DATED),  # Latin-1 bytes, not UTF-8
            b"\x00\x01\x02 not a message at all",
            good(2),
            b"From: ann@example.com\nTo: sales@acme-mail.test\nDa",  # the file ends here: truncated
        ],
        ending=b"",
    )

    report = sync_mailbox(team, path)

    assert report.read == 9 and report.added == 2
    assert report.skipped == [
        Skip("message 2", "no Date header"),
        Skip("message 3", "unparseable Date"),
        Skip("message 4", "no From header"),
        Skip("message 5", "unparseable From header"),
        Skip("message 6", "undecodable bytes in the Subject header"),
        Skip("message 7", "no From header"),
        Skip("message 9", "truncated (the file ends in the middle of this message)"),
    ]
    assert sorted(s for _, _, s in timeline(ann)) == ["good 1", "good 2"]
    ann.refresh_from_db()
    assert (ann.name, ann.company, ann.archived_at) == ("Ann", "Ann Co", None)
    lines = "\n".join(report.lines())
    assert "Skipped: 7 messages (2 no From header," in lines
    assert "  message 3: unparseable Date" in lines


def test_headers_in_raw_utf8_are_read_as_text(team, tmp_path):
    path = raw_mbox(
        tmp_path,
        [
            raw(b"From: J\xc3\xb6rg <jorg@example.com>", TO_US, b"Subject: Caf\xc3\xa9", DATED),
        ],
    )
    report = sync_mailbox(team, path)
    assert report.skipped == []
    found = DiscoveredPerson.objects.get()
    assert (found.name, found.last_summary) == ("Jörg", "Café")


def test_a_message_with_undecodable_encoded_words_is_skipped(team, tmp_path):
    path = raw_mbox(
        tmp_path,
        [
            raw(FROM_ANN, TO_US, b"Subject: =?utf-8?b?/w==?=", DATED),
            good(1),
        ],
    )
    report = sync_mailbox(team, path)
    assert report.skipped == [Skip("message 1", "undecodable bytes in the Subject header")]
    assert report.discovered_interactions == 1


def test_a_folder_of_eml_files_is_synced_and_bad_files_are_skipped(team, tmp_path):
    ann = ContactFactory(workspace=team, email="ann@example.com")
    folder = tmp_path / "mail"
    (folder / "sub").mkdir(parents=True)
    (folder / "1.eml").write_bytes(
        email(sender="ann@example.com", to=["sales@acme-mail.test"], subject="one").as_bytes()
    )
    (folder / "sub" / "2.eml").write_bytes(
        email(sender="ann@example.com", to=["sales@acme-mail.test"], subject="two").as_bytes()
    )
    (folder / "3.eml").write_bytes(b"Subject: nobody sent this\n\nx\n")
    (folder / "notes.txt").write_text("not mail")

    report = sync_mailbox(team, folder)

    assert report.read == 3 and report.skipped == [Skip("3.eml", "no From header")]
    assert sorted(s for _, _, s in timeline(ann)) == ["one", "two"]


def test_sources_that_cannot_be_read_at_all_raise_a_clear_error(team, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("Dear diary,\nnothing here is mail.\n")
    with pytest.raises(SourceUnreadable, match="does not exist"):
        sync_mailbox(team, tmp_path / "missing.mbox")
    with pytest.raises(SourceUnreadable, match=r"No \.eml files"):
        sync_mailbox(team, tmp_path / "empty")
    with pytest.raises(SourceUnreadable, match="is not an mbox file"):
        sync_mailbox(team, tmp_path / "notes.txt")
    with pytest.raises(SourceUnreadable, match="is a folder"):
        sync_calls(team, tmp_path / "empty")
    with pytest.raises(SourceUnreadable, match="lacks the column"):
        sync_calls(team, write_calls(tmp_path, "number,duration_seconds\n+14155550100,3\n"))


def test_an_empty_mbox_syncs_nothing(team, tmp_path):
    (tmp_path / "empty.mbox").write_bytes(b"")
    report = sync_mailbox(team, tmp_path / "empty.mbox")
    assert report.read == 0 and stored() == (0, 0, 0, 0)
