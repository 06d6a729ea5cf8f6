"""The README's command reference says what the commands do (it once had a pasted duplicate)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# Every app's commands: contacts, sync (and bench, described in its own README).
COMMANDS = sorted(Path(__file__).resolve().parent.parent.glob("*/management/commands/*.py"))


def command_reference() -> dict[str, str]:
    """Each `python manage.py NAME ...` entry of the Commands section, with the lines under it."""
    section = README.read_text().split("## Commands", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    entries = re.split(r"^(?=python manage\.py )", block.strip(), flags=re.M)
    entries = [entry for entry in entries if entry]
    names = [entry.split()[2] for entry in entries]
    assert len(names) == len(set(names)), f"commands described twice: {names}"
    return dict(zip(names, entries))


def test_each_command_is_described_once():
    # bench has its own section and bench/README.md.
    commands = {path.stem for path in COMMANDS} - {"__init__", "bench"}
    assert set(command_reference()) == commands


def test_the_purge_cron_line_runs_purge_deleted():
    purge = command_reference()["purge_deleted"]
    cron = [line for line in purge.splitlines() if re.search(r"\d+ \d+ \* \* \*", line)]
    assert len(cron) == 1
    assert cron[0].rstrip().endswith("manage.py purge_deleted")
    assert "sync_mailbox" not in purge and "mbox" not in purge
