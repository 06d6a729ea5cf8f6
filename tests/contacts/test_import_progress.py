"""import_contacts draws its progress bars (tqdm) on stderr on a terminal only, and stays all-or-nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts import importing
from contacts.management import progress
from contacts.models import Contact, TimelineEntry

ROWS = "name,email\n" + "".join(f"Person {n},p{n}@example.com\n" for n in range(1, 1201))


class FakeTerminal(StringIO):
    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def at_once(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0)


def write_csv(tmp_path, text):
    path = tmp_path / "people.csv"
    path.write_text(text)
    return str(path)


def import_on_a_terminal(*args):
    out, terminal = StringIO(), FakeTerminal()
    call_command("import_contacts", *args, stdout=out, stderr=terminal)
    return out.getvalue(), terminal.getvalue()


def test_an_import_on_a_terminal_shows_rows_checked_and_people_saved(workspace, tmp_path):
    out, bar = import_on_a_terminal("acme", write_csv(tmp_path, ROWS))
    assert out == "Imported 1200 people into Acme.\n"  # the same summary, on stdout only
    assert "rows checked: 100%" in bar and "1200/1200" in bar
    assert "people saved: 100%" in bar and bar.endswith("\n")
    assert Contact.objects.count() == TimelineEntry.objects.count() == 1200


def test_the_import_reports_each_row_checked_and_each_batch_saved(workspace):
    # What the bars are fed (tqdm itself redraws at most every 0.1 s, so its output skips steps).
    checked, saved = [], []
    people = importing.check_csv(workspace, ROWS.encode(), progress=lambda done, total: checked.append((done, total)))
    importing.save_people(people, source="people.csv", progress=lambda done, total: saved.append((done, total)))
    assert checked == [(n, 1200) for n in range(1, 1201)]
    assert saved == [(500, 1200), (1000, 1200), (1200, 1200)]


@pytest.mark.parametrize("quiet", [["--no-progress"], ["--verbosity", "0"]])
def test_no_progress_and_verbosity_0_draw_nothing(workspace, tmp_path, quiet):
    out, bar = import_on_a_terminal("acme", write_csv(tmp_path, ROWS), *quiet)
    assert bar == "" and out == "Imported 1200 people into Acme.\n"


def test_not_a_terminal_draws_nothing(workspace, tmp_path):
    errors = StringIO()
    call_command("import_contacts", "acme", write_csv(tmp_path, ROWS), stdout=StringIO(), stderr=errors)
    assert errors.getvalue() == ""


def test_a_bad_row_still_imports_nothing_and_says_so_after_the_bar(workspace, tmp_path):
    with pytest.raises(CommandError) as failed:
        import_on_a_terminal("acme", write_csv(tmp_path, ROWS + "Dup,p1@example.com\n"))
    assert str(failed.value).splitlines() == [
        "Nothing imported from people.csv:",
        "line 1202: duplicate: line 2 has the same email p1@example.com",
    ]
    assert Contact.objects.count() == 0
