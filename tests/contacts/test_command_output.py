"""What the management commands print is safe for a terminal, whatever the names and files hold.

Names come from CSV files, mail, call logs and the admin; file names from anyone. Printed raw,
an escape sequence clears the operator's screen, retitles the window or hides a link, and a
right-to-left override makes a line read as something else.
"""

import os
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact, Workspace
from tests.factories import ContactFactory

ESCAPE = "\x1b[2J\x1b]0;pwned\x07"  # clear the screen, set the window title
OVERRIDE = "\u202e"  # right-to-left override
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def failure(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def assert_terminal_safe(text: str) -> None:
    assert UNSAFE.findall(text) == []


@pytest.fixture
def hostile_workspace(db):
    return Workspace.objects.create(name=f"Acme{ESCAPE}{OVERRIDE} Corp", slug="acme")


def test_import_prints_names_from_the_database_and_the_file_name_safely(hostile_workspace, tmp_path):
    ContactFactory(workspace=hostile_workspace, name=f"Ann{ESCAPE} {OVERRIDE}Ames", email="ann@example.com")
    path = tmp_path / f"people{ESCAPE}.csv"
    path.write_text("name,email\nAnn Again,ann@example.com\n")

    shown = failure("import_contacts", "acme", str(path))

    assert_terminal_safe(shown)
    assert shown.splitlines() == [
        "Nothing imported from people.csv:",
        "line 2: duplicate: Ann Ames already has the email ann@example.com",
    ]


def test_import_success_names_the_workspace_safely(hostile_workspace, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name\nBo\n")
    out = run("import_contacts", "acme", str(path))
    assert_terminal_safe(out)
    assert out == "Imported 1 person into Acme Corp.\n"


def test_commands_asked_for_a_missing_workspace_repeat_what_was_typed_safely(db, tmp_path):
    typed = f"nowhere{ESCAPE}"
    for command in ("import_contacts", "sync_mailbox", "sync_calls"):
        shown = failure(command, typed, str(tmp_path / f"file{ESCAPE}"))
        assert_terminal_safe(shown)
        assert "manage.py add_member nowhere USERNAME" in shown


def test_sync_mailbox_prints_file_names_and_addresses_safely(hostile_workspace, tmp_path):
    # Two people with the same address make it ambiguous, and the report names the address.
    for name in ("Eve One", "Eve Two"):
        ContactFactory(workspace=hostile_workspace, name=name, email=f"eve{OVERRIDE}gpj.exe@example.com")
    folder = tmp_path / f"mail{ESCAPE}"
    folder.mkdir()
    (folder / f"bad{ESCAPE}.eml").write_bytes(b"Subject: nobody sent this\n\nx\n")
    (folder / "good.eml").write_bytes(
        f"From: Eve <eve{OVERRIDE}gpj.exe@example.com>\nTo: us@acme.test\nDate: Wed, 10 Jan 2024 09:30:00 +0000\n"
        "Message-ID: <e@x>\n\nx\n".encode()
    )

    out = run("sync_mailbox", "acme", str(folder))

    assert_terminal_safe(out)
    lines = out.splitlines()
    assert lines[0] == "Synced mail into Acme Corp."
    assert "  bad.eml: no From header" in lines
    assert "  good.eml: evegpj.exe@example.com matches 2 people; add it to one of them only" in lines


def test_sync_calls_prints_the_file_name_safely(hostile_workspace, tmp_path):
    path = tmp_path / f"calls{ESCAPE}.csv"
    path.write_text("+14155550100,in,2024-01-10T09:30:00Z,60,Quinn\n")
    out = run("sync_calls", "acme", str(path))
    assert_terminal_safe(out)
    assert out.splitlines()[0] == "Synced calls.csv into Acme Corp."


def test_add_member_refuses_control_characters_it_would_store(db):
    shown = failure("add_member", "Sales", f"ann{ESCAPE}")
    assert_terminal_safe(shown)
    assert "username contains a control character (U+001B)" in shown
    assert "workspace name contains a control character (U+001B)" in failure("add_member", f"Sales{ESCAPE}", "ann")
    assert not Workspace.objects.exists()


def test_add_member_refuses_a_username_longer_than_the_user_model_holds(db):
    """On PostgreSQL this was a DataError traceback; on SQLite a user nobody could log in as."""
    assert "The username is longer than 150 characters" in failure("add_member", "Sales", "a" * 151)
    assert not Workspace.objects.exists()


def test_sync_prints_a_file_name_that_is_not_utf8_without_crashing_the_terminal(hostile_workspace, tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xff.eml")).write_bytes(b"Subject: nobody sent this\n\nx\n")
    out = run("sync_mailbox", "acme", str(folder))
    out.encode("utf-8")  # a lone surrogate here is a UnicodeEncodeError on a real terminal
    assert "  bad.eml: no From header" in out.splitlines()


def test_add_member_prints_names_safely(db):
    out = run("add_member", f"{OVERRIDE}Sales", f"{OVERRIDE}ann")
    assert_terminal_safe(out)
    assert out.splitlines() == [
        "Created workspace Sales (sales).",
        "Created user ann (no password: pass --password).",
        "Added ann to Sales as member.",
    ]


def test_seed_demo_names_an_existing_workspace_safely(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    Workspace.objects.create(name=f"Demo{ESCAPE} Team", slug="demo")
    out = run("seed_demo")
    assert_terminal_safe(out)
    assert "Demo Team already exists with 0 people; left them as they are." in out
    assert not Contact.objects.exists()
