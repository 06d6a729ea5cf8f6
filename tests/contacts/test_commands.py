"""The management commands, run as an operator would run them."""

import subprocess
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import Contact, EntryKind, Membership, Role, Stage, TimelineEntry, Workspace
from tests.factories import ContactFactory, TimelineEntryFactory

User = get_user_model()
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # seed_demo and add_member hash passwords; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "people": Contact.objects.count(),
        "entries": TimelineEntry.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


# --- import_contacts -----------------------------------------------------------------


def write_csv(tmp_path, text: str | bytes, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def test_import_creates_people_with_a_created_entry(workspace, member, tmp_path):
    path = write_csv(
        tmp_path,
        "name,email,stage,assignee,archived\n"
        "Ann Ames,ann@example.com,Hot,mia,\n"
        "Bo Bell,bo@example.com,Lost,,yes\n"
        "Cy Chu,,,,no\n",
    )
    assert "Imported 3 people into Acme." in run("import_contacts", "acme", path)
    ann = Contact.objects.get(name="Ann Ames")
    assert (ann.stage, ann.assignee, ann.archived_at) == (Stage.POTENTIAL, member, None)
    assert Contact.objects.get(name="Bo Bell").archived_at is not None
    assert set(TimelineEntry.objects.filter(kind=EntryKind.CREATED).values_list("summary", flat=True)) == {
        "Imported from people.csv"
    }
    assert TimelineEntry.objects.filter(kind=EntryKind.ARCHIVED).count() == 1


def test_import_finds_the_workspace_by_name_too(workspace, tmp_path):
    assert "Imported 1 person into Acme." in run("import_contacts", "ACME", write_csv(tmp_path, "name\nAnn\n"))


def test_one_bad_row_imports_nothing_and_lists_every_problem(workspace, tmp_path):
    ContactFactory(workspace=workspace, name="Old Ann", email="ann@example.com")
    before = counts()
    path = write_csv(
        tmp_path,
        "name,email,stage,assignee,archived\n"
        "Good Person,good@example.com,,,\n"
        "Ann Again,ann@example.com,,,\n"
        ",nameless@example.com,,,\n"
        "Zed,,Active,,yes\n"
        "Yan,,Sideways,ghost,\n",
    )
    with pytest.raises(CommandError) as error:
        run("import_contacts", "acme", path)
    assert str(error.value).splitlines() == [
        "Nothing imported from people.csv:",
        "line 3: duplicate: Old Ann already has the email ann@example.com",
        "line 4: name is missing",
        "line 5: cannot be archived: Stage is Active — change or remove the stage",
        "line 6: unknown stage 'Sideways'; use Lead, Potential, Active, Past, Lost "
        "(or Warm, Hot, In Contract, Inactive), or leave it blank",
        "line 6: unknown assignee 'ghost' (no such user)",
    ]
    assert counts() == before


def test_non_utf8_file_imports_nothing(workspace, tmp_path):
    path = write_csv(tmp_path, "name\nJosé\n".encode("cp1252"))
    with pytest.raises(CommandError, match=r"line 2: the file is not UTF-8 text"):
        run("import_contacts", "acme", path)
    assert Contact.objects.count() == 0


def test_import_into_a_missing_workspace_fails(db, tmp_path):
    with pytest.raises(CommandError, match="No workspace 'nowhere'"):
        run("import_contacts", "nowhere", write_csv(tmp_path, "name\nAnn\n"))


def test_import_of_a_missing_file_fails(workspace, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_contacts", "acme", str(tmp_path / "missing.csv"))


def test_import_exits_non_zero_from_the_command_line(workspace, tmp_path):
    # call_command raises; from the shell, CommandError means exit status 1.
    from django.core.management import ManagementUtility

    path = write_csv(tmp_path, "title\nCEO\n")
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_contacts", "acme", path]).execute()
    assert exit_.value.code == 1


@pytest.mark.parametrize("column", ["name", "company", "title"])
def test_a_value_longer_than_the_model_allows_imports_nothing(workspace, tmp_path, column):
    """Without the length check SQLite stores the long value and PostgreSQL raises DataError (a traceback)."""
    before = counts()
    rows = f"name\nAnn\n{'x' * 201}\n" if column == "name" else f"name,{column}\nAnn,Fine\nBo,{'x' * 201}\n"
    path = write_csv(tmp_path, rows)
    with pytest.raises(CommandError) as error:
        run("import_contacts", "acme", path)
    assert str(error.value).splitlines() == [
        "Nothing imported from people.csv:",
        f"line 3: {column} is longer than 200 characters",
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "name,email\nAnn,ann@example.com\nBo\x00b,bo@example.com\n",
            "line 3: name contains a control character (U+0000)",
        ),
        (
            "name,email\nAnn,ann@example.com\nBo,bo@exa\x00mple.com\n",
            "line 3: email contains a control character (U+0000)",
        ),
        ("name,assignee\nAnn,mi\x00a\n", "line 2: assignee contains a control character (U+0000)"),
        ("name,title\nAnn,\nBo," + "x" * 200_000 + "\n", "line 3: a value is longer than 131,072 characters"),
        (
            'name,email\nAnn,ann@example.com\n"Bo,bo@example.com\nCy,cy@example.com\n',
            'line 3: a quote (") opened on this line is never closed',
        ),
    ],
    ids=[
        "NUL in a name",
        "NUL in an email",
        "NUL in an assignee",
        "huge value",
        "unclosed quote",
    ],
)
def test_a_bad_value_or_a_broken_file_imports_nothing_with_a_line_numbered_error(
    workspace, member, tmp_path, text, problem
):
    """On PostgreSQL each of these was a traceback (DataError, csv.Error) or a silent import; on SQLite a silent one."""
    before = counts()
    path = write_csv(tmp_path, text)
    with pytest.raises(CommandError) as error:
        run("import_contacts", "acme", path)
    lines = str(error.value).splitlines()
    assert lines[0] == "Nothing imported from people.csv:"
    assert lines[1].startswith(problem)
    assert counts() == before  # and CommandError is exit status 1 (test_import_exits_non_zero_from_the_command_line)


# --- seed_demo ------------------------------------------------------------------------


def test_seed_demo_makes_a_team_with_people_in_every_stage_and_audience(db):
    out = run("seed_demo")
    workspace = Workspace.objects.get(slug="demo")
    assert workspace.name == "Demo Team"
    people = Contact.objects.filter(workspace=workspace)
    assert people.count() == 300
    assert set(people.values_list("stage", flat=True)) == set(Stage.values)
    assert people.archived().exists() and people.deleted().exists() and people.in_my_people().exists()
    assert people.filter(assignee__username="dana").exists()
    assert people.filter(assignee__isnull=False, archived_at__isnull=False).count() == 0
    # Everyone has a history that starts with being created; most have interactions.
    assert TimelineEntry.objects.filter(kind=EntryKind.CREATED).count() == 300
    assert people.filter(last_touch_at__isnull=False).count() > 200
    assert people.exclude(phone="").filter(phone_e164="").count() == 0
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert roles["demo"] == Role.ADMIN and Role.MANAGER in roles.values() and Role.MEMBER in roles.values()
    assert "demo / demo-password" in out


def test_seed_demo_alone_names_no_server_it_does_not_know(db):
    out = run("seed_demo")
    assert "127.0.0.1:8000" not in out and "http" not in out
    assert "Start the server" not in out and "runserver" not in out
    assert "Log in at /accounts/login/ on your server as any of these (password demo-password):" in out
    assert "  demo / demo-password  (admin) — also a superuser for the Django admin at /admin/" in out


def test_seed_demo_prints_the_login_address_it_is_given(db):
    out = run("seed_demo", "--url", "http://0.0.0.0:8765/accounts/login/")
    assert "Log in at http://0.0.0.0:8765/accounts/login/ as any of these (password demo-password):" in out
    assert "8000" not in out and "Start the server" not in out


def test_make_run_gives_seed_demo_the_address_it_serves_on(tmp_path):
    # -n prints the commands without running them; VENV points where nothing is installed.
    result = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8765", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seed = [line for line in result.stdout.splitlines() if "manage.py seed_demo" in line]
    assert seed == [
        f"DEBUG=1 {tmp_path / 'venv'}/bin/python manage.py seed_demo --url http://0.0.0.0:8765/accounts/login/"
    ]
    assert "runserver 0.0.0.0:8765" in result.stdout


def test_seed_demo_users_can_log_in(db, client):
    run("seed_demo")
    assert client.login(username="demo", password="demo-password")
    assert client.login(username="dana", password="demo-password")


def test_seed_demo_twice_changes_nothing_but_restores_passwords(db):
    run("seed_demo")
    before = counts()
    demo = User.objects.get(username="demo")
    demo.set_password("changed-it")
    demo.save()
    out = run("seed_demo")
    assert counts() == before
    assert "already exists with 300 people" in out
    demo.refresh_from_db()
    assert demo.check_password("demo-password")


def test_seed_demo_is_deterministic(db):
    def snapshot():
        return [
            (c.name, c.email, c.phone, c.stage, c.assignee_id, c.status, c.timeline.count())
            for c in Contact.objects.order_by("pk")
        ]

    run("seed_demo")
    first = snapshot()
    Contact.objects.all().delete()
    Workspace.objects.filter(slug="demo").delete()
    run("seed_demo")
    assert snapshot() == first


# --- add_member -----------------------------------------------------------------------


def test_add_member_creates_workspace_user_and_membership(db, client):
    out = run("add_member", "Sales Team", "ann", "--role", "manager", "--password", "a-long-enough-pass")
    workspace = Workspace.objects.get(slug="sales-team")
    assert workspace.name == "Sales Team"
    assert Membership.objects.get(workspace=workspace, user__username="ann").role == Role.MANAGER
    assert client.login(username="ann", password="a-long-enough-pass")
    assert out.splitlines() == [
        "Created workspace Sales Team (sales-team).",
        "Created user ann.",
        "Added ann to Sales Team as manager.",
    ]


def test_add_member_defaults_to_member_and_a_user_without_password_cannot_log_in(workspace):
    out = run("add_member", "acme", "bo")
    assert Membership.objects.get(workspace=workspace, user__username="bo").role == Role.MEMBER
    assert not User.objects.get(username="bo").has_usable_password()
    assert "no password" in out
    assert Workspace.objects.count() == 1


def test_add_member_changes_the_role_of_an_existing_member(workspace, member):
    out = run("add_member", "Acme", "mia", "--role", "admin")
    assert Membership.objects.get(workspace=workspace, user=member).role == Role.ADMIN
    assert "Changed mia's role in Acme from member to admin." in out
    assert Membership.objects.count() == 1


def test_add_member_without_role_keeps_an_existing_role(workspace, admin_user):
    out = run("add_member", "acme", "ada")
    assert Membership.objects.get(workspace=workspace, user=admin_user).role == Role.ADMIN
    assert "ada is already a member of Acme (admin)." in out


def test_add_member_adds_an_existing_user_to_another_workspace(workspace, other_workspace, member):
    run("add_member", "rivals", "mia")
    assert set(member.workspaces.values_list("slug", flat=True)) == {"acme", "rivals"}


def test_add_member_refuses_a_weak_password_and_creates_nothing(db):
    with pytest.raises(CommandError, match="too short"):
        run("add_member", "New Team", "cy", "--password", "abc")
    assert not Workspace.objects.exists() and not User.objects.filter(username="cy").exists()


# --- purge_deleted --------------------------------------------------------------------


def test_purge_deleted_erases_only_people_deleted_longer_than_the_retention(workspace):
    long_ago = timezone.now() - timedelta(days=31)
    expired = ContactFactory(workspace=workspace, deleted=True, deleted_at=long_ago, archived_at=long_ago)
    recent = ContactFactory(workspace=workspace, deleted=True)
    archived = ContactFactory(workspace=workspace, archived=True, archived_at=long_ago)
    TimelineEntryFactory(contact=expired)
    out = run("purge_deleted")
    assert "Erased 1 person from Recently Deleted." in out
    assert set(Contact.objects.values_list("pk", flat=True)) == {recent.pk, archived.pk}
    assert not TimelineEntry.objects.filter(contact_id=expired.pk).exists()


def test_purge_deleted_respects_a_workspace_retention(workspace):
    workspace.retention_days = 7
    workspace.save()
    ContactFactory(workspace=workspace, deleted=True, deleted_at=timezone.now() - timedelta(days=8))
    assert "Erased 1 person" in run("purge_deleted")
    assert Contact.objects.count() == 0


def test_purge_deleted_help_says_to_run_it_daily():
    from contacts.management.commands.purge_deleted import Command

    assert "daily" in Command.help and "cron" in Command.help
