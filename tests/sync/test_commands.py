"""The sync_mailbox and sync_calls commands: the summary, the errors, the progress bar."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper

from sync.management.sync_command import TerminalProgress
from tests.factories import ContactFactory
from tests.sync.files import FROM_ANN, TO_US, good, raw, raw_mbox, run, write_calls

# --- Commands ----------------------------------------------------------------------------------------


def test_sync_mailbox_command_prints_a_summary(team, tmp_path):
    ContactFactory(workspace=team, email="ann@example.com")
    path = raw_mbox(tmp_path, [good(1), raw(FROM_ANN, TO_US)])
    out = run("sync_mailbox", "acme", str(path))
    assert out.splitlines() == [
        "Synced raw.mbox into Acme.",
        "Messages read: 2",
        "Interactions added: 1",
        "Already synced before: 0",
        "People created: 0",
        "People re-created: 0",
        "Discovered: 0 new (interactions: 0)",
        "Suppressed: 0 interactions dropped",
        "Ambiguous: 0 (several people match; not guessed)",
        "Skipped: 1 message (1 no Date header)",
        "  message 2: no Date header",
    ]


def test_sync_calls_command_prints_a_summary(team, tmp_path):
    path = write_calls(tmp_path, "+14155550100,in,2024-01-10T09:30:00Z,60,Quinn\nnope,in,2024-01-10T09:30:00Z,1,\n")
    out = run("sync_calls", "acme", str(path))
    assert "Calls read: 2" in out and "Discovered: 1 new (interactions: 1)" in out
    assert "  line 2: bad phone number 'nope'" in out


def test_commands_exit_non_zero_with_a_clear_message(team, tmp_path):
    with pytest.raises(CommandError, match="No workspace 'nowhere'"):
        run("sync_mailbox", "nowhere", str(tmp_path))
    with pytest.raises(CommandError, match="Nothing synced: .*missing.mbox does not exist"):
        run("sync_mailbox", "acme", str(tmp_path / "missing.mbox"))
    with pytest.raises(CommandError, match="Nothing synced: .*does not exist"):
        run("sync_calls", "acme", str(tmp_path / "missing.csv"))


class FakeTerminal(StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_only_for_large_inputs(team, tmp_path):
    terminal = FakeTerminal()
    progress = TerminalProgress(OutputWrapper(terminal), "messages")
    for done in range(1, 2001):
        progress(done, 2000)
    shown = terminal.getvalue()
    assert shown.startswith("\r[") and shown.endswith("100%  2,000 of 2,000 messages\n")
    assert shown.count("\r") == 101  # once per percent, not once per message

    small = FakeTerminal()
    quiet = TerminalProgress(OutputWrapper(small), "messages")
    for done in range(1, 11):
        quiet(done, 10)
    assert small.getvalue() == ""

    errors = StringIO()  # not a terminal: the command draws no bar at all
    call_command("sync_mailbox", "acme", str(raw_mbox(tmp_path, [good(1)])), stdout=StringIO(), stderr=errors)
    assert errors.getvalue() == ""
