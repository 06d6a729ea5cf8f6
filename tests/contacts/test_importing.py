"""CSV checking: every bad row is reported with its line and reason; good files become people."""

import pytest

from contacts.importing import ImportFailed, check_csv, save_people
from contacts.models import Contact, EntryKind, LabelSet, Stage
from tests.factories import ContactFactory, MembershipFactory, UserFactory

HEADER = "name,email,phone,company,title,stage,assignee,archived\n"


def problems_in(workspace, text: str | bytes) -> list[str]:
    data = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(ImportFailed) as failed:
        check_csv(workspace, data)
    return [str(p) for p in failed.value.problems]


def test_good_rows_become_normalized_unsaved_people(workspace, dana):
    people = check_csv(
        workspace,
        (HEADER + "Ann Ames, Ann@Example.COM ,(415) 555-0100,Acme,CEO,lead,dana,\nBo Bell,,,,,,,yes\n").encode(),
    )
    ann, bo = people
    assert (ann.name, ann.email, ann.phone_e164, ann.stage, ann.assignee) == (
        "Ann Ames",
        "ann@example.com",
        "+14155550100",
        Stage.LEAD,
        dana,
    )
    assert ann.archived_at is None and bo.archived_at is not None
    assert ann.pk is None and Contact.objects.count() == 0


def test_stage_accepts_either_label_set_and_keys_case_insensitively(workspace):
    typed = ["warm", "HOT", "In Contract", "inactive", "Lost", "potential", ""]
    text = HEADER + "".join(f"P{i},,,,,{stage},,\n" for i, stage in enumerate(typed))
    stages = [p.stage for p in check_csv(workspace, text.encode())]
    assert stages == [Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.POTENTIAL, Stage.NONE]


def test_columns_may_come_in_any_order_and_only_name_is_required(workspace):
    people = check_csv(workspace, b"Company,NAME\nAcme,Ann Ames\n")
    assert [(p.name, p.company) for p in people] == [("Ann Ames", "Acme")]


def test_unknown_stage_is_reported_with_its_line(workspace):
    assert problems_in(workspace, HEADER + "Ann,,,,,Lead,,\nBo,,,,,Hottest,,\n") == [
        "line 3: unknown stage 'Hottest'; use Lead, Potential, Active, Past, Lost "
        "(or Warm, Hot, In Contract, Inactive), or leave it blank"
    ]


def test_missing_name_is_reported(workspace):
    assert problems_in(workspace, HEADER + ",ann@example.com,,,,,,\n") == ["line 2: name is missing"]


def test_bad_email_and_bad_phone_are_both_reported_for_one_row(workspace):
    assert problems_in(workspace, HEADER + "Ann,not-an-email,12,,,,,\n") == [
        "line 2: email 'not-an-email' is not a valid address",
        "line 2: phone '12' is not a phone number",
    ]


def test_unknown_assignee_and_non_member_are_told_apart(workspace, other_workspace):
    MembershipFactory(workspace=other_workspace, user=UserFactory(username="rival"))
    assert problems_in(workspace, HEADER + "Ann,,,,,,nobody,\nBo,,,,,,rival,\n") == [
        "line 2: unknown assignee 'nobody' (no such user)",
        "line 3: assignee 'rival' is not a member of Acme",
    ]


def test_archived_with_an_open_stage_or_an_assignee_gives_the_archive_reasons(workspace, dana):
    assert problems_in(workspace, HEADER + "Ann,,,,,Active,,yes\nBo,,,,,Lost,dana,yes\nCy,,,,,Lead,dana,yes\n") == [
        "line 2: cannot be archived: Stage is Active — change or remove the stage",
        "line 3: cannot be archived: Assigned to Dana Lee — remove the assignee",
        "line 4: cannot be archived: Stage is Lead — change or remove the stage",
        "line 4: cannot be archived: Assigned to Dana Lee — remove the assignee",
    ]


def test_archive_reason_uses_the_workspace_labels(workspace):
    workspace.label_set = LabelSet.REAL_ESTATE
    workspace.save()
    assert problems_in(workspace, HEADER + "Ann,,,,,hot,,yes\n") == [
        "line 2: cannot be archived: Stage is Hot — change or remove the stage"
    ]


def test_archived_must_be_yes_or_no(workspace):
    assert problems_in(workspace, HEADER + "Ann,,,,,,,maybe\n") == ["line 2: archived must be yes or no, not 'maybe'"]


def test_email_of_an_existing_person_is_a_duplicate_but_a_deleted_one_is_not(workspace):
    ContactFactory(workspace=workspace, name="Old Ann", email="ann@example.com", archived=True)
    ContactFactory(workspace=workspace, name="Gone Bo", email="bo@example.com", deleted=True)
    assert problems_in(workspace, HEADER + "Ann,ANN@example.com,,,,,,\nBo,bo@example.com,,,,,,\n") == [
        "line 2: duplicate: Old Ann already has the email ann@example.com"
    ]


def test_people_of_another_workspace_are_not_duplicates(workspace, other_workspace):
    ContactFactory(workspace=other_workspace, email="ann@example.com")
    assert len(check_csv(workspace, (HEADER + "Ann,ann@example.com,,,,,,\n").encode())) == 1


def test_the_same_email_twice_in_the_file_is_a_duplicate(workspace):
    assert problems_in(workspace, HEADER + "Ann,ann@example.com,,,,,,\nAnn B,Ann@Example.com,,,,,,\n") == [
        "line 3: duplicate: line 2 has the same email ann@example.com"
    ]


def test_line_numbers_count_blank_lines_and_multiline_values(workspace):
    text = HEADER + '\nAnn,,,,"a title\nover two lines",,,\nBo,,,,,Bogus,,\n'
    assert problems_in(workspace, text) == [
        "line 5: unknown stage 'Bogus'; use Lead, Potential, Active, Past, Lost "
        "(or Warm, Hot, In Contract, Inactive), or leave it blank"
    ]


def test_a_row_with_more_values_than_columns_is_reported(workspace):
    assert problems_in(workspace, "name,email\nAnn,ann@example.com,extra\n") == [
        "line 2: 3 values but the header has 2 columns"
    ]


def test_missing_name_column_is_reported_on_the_header_line(workspace):
    assert problems_in(workspace, "email,company\nann@example.com,Acme\n") == [
        "line 1: the header has no 'name' column, which is required"
    ]


def test_unknown_columns_are_reported(workspace):
    assert problems_in(workspace, "name,emial,notes\nAnn,,\n") == [
        "line 1: unknown column(s) 'emial', 'notes'; the columns are name, email, phone, company, title, stage, "
        "assignee, archived"
    ]


def test_empty_file_is_reported(workspace):
    assert problems_in(workspace, b"") == ["line 1: the file is empty; it needs a header row starting with 'name'"]


def test_non_utf8_bytes_are_reported_with_their_line(workspace):
    latin1 = (HEADER + "Ann,,,,,,,\nJosé,,,,,,,\n").encode("latin-1")
    assert problems_in(workspace, latin1) == ["line 3: the file is not UTF-8 text (byte 0xe9); save it as CSV UTF-8"]


def test_utf8_with_a_byte_order_mark_is_accepted(workspace):
    people = check_csv(workspace, "\ufeffname\nJosé\n".encode())
    assert [p.name for p in people] == ["José"]


def test_save_people_writes_people_and_their_created_and_archived_entries(workspace):
    people = check_csv(workspace, (HEADER + "Ann,,,,,lead,,\nBo,,,,,lost,,yes\n").encode())
    assert save_people(people, source="people.csv") == 2
    ann, bo = Contact.objects.order_by("name")
    assert list(ann.timeline.values_list("kind", "summary")) == [(EntryKind.CREATED, "Imported from people.csv")]
    assert list(bo.timeline.values_list("kind", flat=True)) == [EntryKind.ARCHIVED, EntryKind.CREATED]
    assert bo.archived_at is not None and bo.archived_by is None


# --- Bad bytes and broken files (the same on SQLite and PostgreSQL) ------------------------------------


@pytest.mark.parametrize("column", ["name", "email", "phone", "company", "title", "stage", "assignee", "archived"])
@pytest.mark.parametrize("character", ["\x00", "\x1b"])
def test_a_control_character_in_any_column_is_reported_with_its_line(workspace, column, character):
    good = {"name": "Ann", "email": "ann@example.com", "phone": "+14155550100", "company": "Acme", "title": "CEO"}
    row = {**good, column: good.get(column, "") + character + "x"}
    text = HEADER + "Bo,,,,,,,\n" + ",".join(row.get(c, "") for c in HEADER.strip().split(",")) + "\n"
    assert problems_in(workspace, text) == [
        f"line 3: {column} contains a control character (U+{ord(character):04X}); remove it"
    ]


def test_tabs_and_line_breaks_inside_a_value_become_single_spaces(workspace):
    people = check_csv(workspace, b'name,title\nAnn\tAmes,"Head of\r\n  Sales"\n')
    assert [(p.name, p.title) for p in people] == [("Ann Ames", "Head of Sales")]


# --- Values the database could not hold (the same on SQLite and PostgreSQL) ------------------------------

LONG_VALUES = {
    "name": "N" * 201,
    "company": "C" * 201,
    "title": "T" * 201,
    "email": "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com",  # a valid address of 260 characters
}


@pytest.mark.parametrize("column", LONG_VALUES)
def test_a_value_longer_than_the_model_allows_is_reported_with_its_line(workspace, column):
    limit = Contact._meta.get_field(column).max_length
    text = f"name,{column}\nAnn,\nBo,{LONG_VALUES[column]}\n" if column != "name" else f"name\nAnn\n{'N' * 201}\n"
    assert problems_in(workspace, text) == [f"line 3: {column} is longer than {limit} characters"]


def test_a_value_longer_than_the_csv_module_reads_is_reported_with_its_line(workspace):
    text = "name,title\nAnn,CEO\nBo," + "x" * 200_000 + "\nCy,\n"
    assert problems_in(workspace, text) == [
        'line 3: a value is longer than 131,072 characters; is a closing quote (") missing?'
    ]


def test_an_unclosed_quote_is_reported_on_the_line_it_opens(workspace):
    text = 'name,email\nAnn,ann@example.com\n"Bo,bo@example.com\nCy,cy@example.com\nDee,dee@example.com\n'
    assert problems_in(workspace, text) == ['line 3: a quote (") opened on this line is never closed']


def test_an_unclosed_quote_in_a_long_file_is_reported_on_the_line_it_opens(workspace):
    rows = "".join(f"Person {i},p{i}@example.com\n" for i in range(8000))  # more than 131,072 characters
    assert problems_in(workspace, f'name,email\nAnn,"ann@example.com\n{rows}') == [
        'line 2: a value is longer than 131,072 characters; is a closing quote (") missing?'
    ]


def test_text_after_a_closing_quote_is_reported_with_its_line(workspace):
    assert problems_in(workspace, 'name,title\nAnn,CEO\n"Bo" Bell,CTO\n') == [
        "line 3: malformed CSV: ',' expected after '\"'"
    ]


def test_an_unclosed_quote_in_the_header_is_reported_on_line_1(workspace):
    assert problems_in(workspace, '"name,email\nAnn,ann@example.com\n') == [
        'line 1: a quote (") opened on this line is never closed'
    ]
