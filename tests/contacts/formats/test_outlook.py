import pytest

from contacts.formats.outlook import read_outlook
from contacts.formats.records import Entry, PersonRecord, Problem

OUTLOOK_RECORDS = [
    PersonRecord(
        name="Tomás García",
        given_name="Tomás",
        family_name="García",
        emails=(Entry("tomas.garcia@contoso.example"), Entry("tomas@home.example")),
        phones=(
            Entry("+34 600 555 010", "mobile"),
            Entry("+34 91 555 0100", "work"),
            Entry("+34 91 555 0199", "home"),
            Entry("+34 91 555 0101", "work fax"),
        ),
        company="Contoso Ltd.",
        title="Controller",
        labels=("Clients", "VIP"),
        note="Prefers mornings.\nSpeaks Catalan.",
    ),
    PersonRecord(
        emails=(Entry("info@fabrikam.example"),),
        phones=(Entry("+1 425 555 0100", "main"),),
        company="Fabrikam Inc.",
    ),
    PersonRecord(
        name="Ana Maria Silva",
        given_name="Ana",
        family_name="Silva",
        emails=(Entry("ana@silva.example"),),
        phones=(
            Entry("+351 96 555 0111", "", True),
            Entry("+351 21 555 0123", "other"),
            Entry("+351 91 555 0000", "pager"),
        ),
        labels=("Family",),
    ),
]


@pytest.mark.parametrize("name", ["outlook.csv", "outlook-utf16.csv"])
def test_an_outlook_export_is_read_into_records_in_utf_8_or_utf_16(fixture, name):
    records = list(read_outlook(fixture(name)))

    assert records == OUTLOOK_RECORDS
    assert [record.line for record in records] == [2, 4, 5]  # Tomás's note spans two lines


def test_outlooks_title_column_is_the_honorific_and_job_title_is_the_title():
    data = b"Title,First Name,Last Name,Job Title,E-mail Address\r\nDr.,Ana,Silva,Surgeon,ana@silva.example\r\n"

    assert list(read_outlook(data)) == [
        PersonRecord(
            name="Ana Silva",
            given_name="Ana",
            family_name="Silva",
            title="Surgeon",
            emails=(Entry("ana@silva.example"),),
        )
    ]


def test_a_name_or_display_name_column_wins_over_first_and_last_name():
    data = b"Name,First Name,Last Name,E-mail Address\r\nAna Maria Silva,Ana,Silva,ana@silva.example\r\n"

    assert list(read_outlook(data))[0].name == "Ana Maria Silva"


def test_a_windows_1252_export_is_a_problem_at_the_first_line_that_is_not_utf_8(fixture):
    assert list(read_outlook(fixture("outlook-windows-1252.csv"))) == [
        PersonRecord(name="Ana Silva", given_name="Ana", family_name="Silva", emails=(Entry("ana@silva.example"),)),
        Problem(
            3,
            'the file is not UTF-8 text (byte 0xfc cannot be read); export or save it again as UTF-8 (in Excel: "CSV UTF-8")',
        ),
    ]


def test_a_semicolon_separated_outlook_export_is_read():
    data = "First Name;Last Name;E-mail Address;Mobile Phone\r\nJürgen;Müller;j@m.example;+49 170 5550000\r\n"

    assert list(read_outlook(data.encode())) == [
        PersonRecord(
            name="Jürgen Müller",
            given_name="Jürgen",
            family_name="Müller",
            emails=(Entry("j@m.example"),),
            phones=(Entry("+49 170 5550000", "mobile"),),
        )
    ]
