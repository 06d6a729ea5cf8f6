import pytest

from contacts.formats import Format, FormatError, PersonRecord, Problem, read_people


@pytest.mark.parametrize(
    ("name", "expected_format", "expected_count"),
    [
        ("google.csv", Format.GOOGLE, 4),
        ("google-legacy.csv", Format.GOOGLE_LEGACY, 3),
        ("outlook.csv", Format.OUTLOOK, 3),
        ("outlook-utf16.csv", Format.OUTLOOK, 3),
        ("phone-2.1.vcf", Format.VCARD, 3),
        ("iphone-3.0.vcf", Format.VCARD, 3),
        ("rfc-4.0.vcf", Format.VCARD, 2),
    ],
)
def test_each_export_is_read_by_the_reader_of_the_format_detected_in_it(fixture, name, expected_format, expected_count):
    fmt, items = read_people(fixture(name))
    items = list(items)

    assert fmt == expected_format
    assert len(items) == expected_count
    assert all(isinstance(item, PersonRecord) for item in items)


def test_problems_come_in_file_order_between_the_records(fixture):
    fmt, items = read_people(fixture("broken-card.vcf"))

    assert [type(item) for item in items] == [PersonRecord, Problem, PersonRecord]


def test_our_own_csv_is_left_to_the_importer():
    with pytest.raises(ValueError, match="our CSV is read by contacts.importing"):
        read_people(b"name,email\nDana Lee,dana@example.com\n")


def test_a_file_of_no_known_format_is_refused_before_anything_is_read():
    with pytest.raises(FormatError) as error:
        read_people(b"Vorname,Nachname,E-Mail-Adresse\nJ\xc3\xbcrgen,M\xc3\xbcller,j@m.example\n")

    assert error.value.problems[0].line == 1
    assert '"Vorname,Nachname,E-Mail-Adresse"' in error.value.problems[0].message
