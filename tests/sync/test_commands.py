"""The sync_mailbox and sync_calls commands: the summary, the errors, the progress bar."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.management import progress
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


@pytest.fixture
def at_once(monkeypatch):
    """Draw bars however quick the run (they wait SHOW_AFTER_SECONDS otherwise)."""
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0)


def sync_on_a_terminal(*args):
    out, terminal = StringIO(), FakeTerminal()
    call_command(*args, stdout=out, stderr=terminal)
    return out.getvalue(), terminal.getvalue()


def test_a_sync_draws_a_progress_bar_on_a_terminal_and_prints_the_same_summary(team, tmp_path, at_once):
    mbox = str(raw_mbox(tmp_path, [good(n) for n in range(1, 31)]))
    out, bar = sync_on_a_terminal("sync_mailbox", "acme", mbox)
    assert out.startswith("Synced raw.mbox into Acme.\nMessages read: 30\n")
    assert "messages: 100%" in bar and "30/30" in bar and bar.endswith("\n")
    calls = str(write_calls(tmp_path, "+14155550100,in,2024-01-10T09:30:00Z,60,Quinn\n"))
    out, bar = sync_on_a_terminal("sync_calls", "acme", calls)
    assert "Calls read: 1" in out and "calls: 100%" in bar and "1/1" in bar


@pytest.mark.parametrize("quiet", [["--no-progress"], ["--verbosity", "0"]])
def test_no_progress_and_verbosity_0_draw_no_bar(team, tmp_path, at_once, quiet):
    out, bar = sync_on_a_terminal("sync_mailbox", "acme", str(raw_mbox(tmp_path, [good(1)])), *quiet)
    assert bar == "" and "Messages read: 1" in out


def test_no_bar_when_stderr_is_not_a_terminal_or_the_run_is_quick(team, tmp_path, at_once):
    errors = StringIO()  # not a terminal
    call_command("sync_mailbox", "acme", str(raw_mbox(tmp_path, [good(1)])), stdout=StringIO(), stderr=errors)
    assert errors.getvalue() == ""


def test_a_quick_run_draws_nothing_even_on_a_terminal(team, tmp_path):
    _, bar = sync_on_a_terminal("sync_mailbox", "acme", str(raw_mbox(tmp_path, [good(1)])))
    assert bar == ""


def test_a_source_that_cannot_be_read_still_fails_with_the_same_message_on_a_terminal(team, tmp_path, at_once):
    with pytest.raises(CommandError, match="Nothing synced: .*missing.mbox does not exist"):
        sync_on_a_terminal("sync_mailbox", "acme", str(tmp_path / "missing.mbox"))
