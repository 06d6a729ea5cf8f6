import csv

from contacts.formats.google import read_google
from contacts.formats.records import Entry, PersonRecord, Problem


def test_a_current_google_export_is_read_into_records(fixture):
    assert list(read_google(fixture("google.csv"))) == [
        PersonRecord(
            name="Dana Lee",
            given_name="Dana",
            family_name="Lee",
            emails=(Entry("dana.lee@northwind.example", "work", True), Entry("dana@home.example", "home")),
            phones=(
                Entry("+1 415 555 0100", "mobile"),
                Entry("+1 415 555 0101", "mobile"),
                Entry("+1 415 555 0199", "work fax"),
            ),
            company="Northwind Traders",
            title="Head of Partnerships",
            labels=("starred", "Suppliers"),
            note="Met at the Lyon fair, stand 14.\nPrefers a call.",
        ),
        PersonRecord(
            name="Jürgen Karl Müller",
            given_name="Jürgen",
            family_name="Müller",
            emails=(Entry("juergen@mueller.example"),),
            phones=(Entry("+49 30 5550 1234", "Father"),),
            labels=("Family",),
        ),
        PersonRecord(
            emails=(Entry("front@leawood.example", "work", True),),
            phones=(Entry("913-555-0150", "main"),),
            company="Leawood Pediatrics",
        ),
        PersonRecord(name="Sam (plumber)", phones=(Entry("+44 7700 900123", "mobile"),)),
    ]


def test_each_record_knows_the_line_its_row_starts_on(fixture):
    # Dana's note and address span lines 2 to 5; the trailing row of empty cells is skipped.
    assert [record.line for record in read_google(fixture("google.csv"))] == [2, 6, 7, 8]


def test_three_emails_in_one_cell_become_three_emails_and_the_star_marks_the_first(fixture):
    assert list(read_google(fixture("google-three-emails.csv"))) == [
        PersonRecord(
            name="Ravi Gupta",
            given_name="Ravi",
            family_name="Gupta",
            emails=(
                Entry("ravi@home.example", "home", True),
                Entry("ravi.gupta@work.example", "home"),
                Entry("r.gupta@old.example", "home"),
            ),
        )
    ]


def test_an_older_google_export_is_read_into_records(fixture):
    assert list(read_google(fixture("google-legacy.csv"))) == [
        PersonRecord(
            name="Priya Sharma",
            given_name="Priya",
            family_name="Sharma",
            emails=(
                Entry("priya@trading.example"),
                Entry("priya.sharma@mail.example"),
                Entry("ps@trading.example", "", True),
            ),
            phones=(Entry("+91 98765 43210", "mobile"), Entry("022 2345 6789", "work")),
            company="Acme Trading",
            title="Buyer",
            labels=("Friends", "Suppliers"),
            note="Met at the Delhi fair.\nPrefers email.",
        ),
        # Google filled Given and Family Name by splitting the address; its Name column wins.
        PersonRecord(
            name="kim.park@example.org",
            given_name="kim.park@example",
            family_name="org",
            emails=(Entry("kim.park@example.org", "", True),),
        ),
        PersonRecord(
            name="Tom Baker",
            given_name="Tom",
            family_name="Baker",
            emails=(Entry("tom@baker.example", "", True),),
            phones=(Entry("+44 7700 900456", "mobile"), Entry("+44 7700 900457", "mobile")),
            labels=("Football", "starred"),
        ),
    ]


def test_an_unclosed_quote_is_a_problem_on_the_line_its_row_starts_and_ends_the_reading(fixture):
    assert list(read_google(fixture("google-unclosed-quote.csv"))) == [
        PersonRecord(name="Ana Silva", given_name="Ana", family_name="Silva", emails=(Entry("ana@example.pt"),)),
        Problem(
            3, 'a quoted value in this row is never closed (a closing " is missing); the rest of the file was not read'
        ),
    ]


def test_a_value_over_the_csv_limit_is_a_problem_not_a_traceback():
    data = b'First Name,Notes,E-mail 1 - Value\r\nAna,ok,ana@example.pt\r\nBo,"' + b"x" * (csv.field_size_limit() + 1)

    assert list(read_google(data))[1:] == [
        Problem(
            3,
            f'a value in this row is longer than {csv.field_size_limit():,} characters, so a closing " is probably '
            "missing; the rest of the file was not read",
        )
    ]


def test_text_after_a_closing_quote_is_a_problem():
    data = b'First Name,E-mail 1 - Value\r\n"Ana"x,ana@example.pt\r\n'

    assert list(read_google(data)) == [
        Problem(2, "this row cannot be read as CSV (',' expected after '\"'); the rest of the file was not read")
    ]


def test_a_row_with_more_values_than_columns_is_a_problem_and_the_next_rows_are_still_read():
    data = (
        b"First Name,E-mail 1 - Value\r\n"
        b"Ana,ana@example.pt,surprise\r\n"
        b"Bo,bo@example.cn,,\r\n"  # empty extra cells, as some exports write them, are harmless
        b"Carla\r\n"  # missing trailing cells are blank
    )

    assert list(read_google(data)) == [
        Problem(2, "3 values but the header has 2 columns"),
        PersonRecord(name="Bo", given_name="Bo", emails=(Entry("bo@example.cn"),)),
        PersonRecord(name="Carla", given_name="Carla"),
    ]


def test_a_repeated_column_is_a_problem_and_its_first_copy_is_read():
    data = b"First Name,E-mail 1 - Value,First Name\r\nAna,ana@example.pt,Other\r\n"

    assert list(read_google(data)) == [
        Problem(1, "the column 'First Name' appears more than once; the first one is read"),
        PersonRecord(name="Ana", given_name="Ana", emails=(Entry("ana@example.pt"),)),
    ]


def test_labels_and_values_written_side_by_side_in_one_cell_are_paired():
    data = (
        b"First Name,Phone 1 - Label,Phone 1 - Value\r\nAna,* Mobile ::: Work,+351 96 555 0111 ::: +351 21 555 0100\r\n"
    )

    assert list(read_google(data))[0].phones == (
        Entry("+351 96 555 0111", "mobile", True),
        Entry("+351 21 555 0100", "work"),
    )


def test_the_email_spelling_without_a_hyphen_is_read_too():
    data = (
        b"First Name,Email 1 - Label,Email 1 - Value,Email 2 - Value\r\nAna,Work,ana@work.example,ana@home.example\r\n"
    )

    assert list(read_google(data))[0].emails == (Entry("ana@work.example", "work"), Entry("ana@home.example"))


def test_control_characters_in_cells_are_removed():
    data = b"First Name,Last Name,E-mail 1 - Value\r\nA\x00na,Sil\x1bva,ana@exa\x00mple.pt\r\n"

    assert list(read_google(data)) == [
        PersonRecord(name="Ana Silva", given_name="Ana", family_name="Silva", emails=(Entry("ana@example.pt"),))
    ]


def test_rows_are_read_as_they_are_needed_not_all_before_the_first():
    data = b"First Name,E-mail 1 - Value\r\nAna,\r\n" + b"Bo,\r\n" * 100_000 + b"\xff\r\n"
    records = read_google(data)

    # The undecodable byte at the end has not been reached yet.
    assert next(records) == PersonRecord(name="Ana", given_name="Ana")


def test_a_reader_given_an_empty_file_reads_nothing():
    assert list(read_google(b"")) == []
