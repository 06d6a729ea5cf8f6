import pytest

from contacts.formats.detect import Format, NotText, detect_format, sniff, text_lines
from contacts.formats.records import FormatError, Problem


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ours.csv", Format.OURS),
        ("google.csv", Format.GOOGLE),
        ("google-three-emails.csv", Format.GOOGLE),
        ("google-legacy.csv", Format.GOOGLE_LEGACY),
        ("outlook.csv", Format.OUTLOOK),
        ("outlook-utf16.csv", Format.OUTLOOK),
        ("outlook-windows-1252.csv", Format.OUTLOOK),
        ("phone-2.1.vcf", Format.VCARD),
        ("iphone-3.0.vcf", Format.VCARD),
        ("rfc-4.0.vcf", Format.VCARD),
        ("truncated.vcf", Format.VCARD),
    ],
)
def test_each_fixture_is_recognised_from_its_bytes(fixture, name, expected):
    assert detect_format(fixture(name)) == expected


def test_the_encoding_comes_from_the_byte_order_mark(fixture):
    assert (sniff(fixture("outlook.csv")).encoding, sniff(fixture("outlook.csv")).start) == ("utf-8", 3)
    assert (sniff(fixture("outlook-utf16.csv")).encoding, sniff(fixture("outlook-utf16.csv")).start) == ("utf-16-le", 2)
    assert (sniff(fixture("google.csv")).encoding, sniff(fixture("google.csv")).start) == ("utf-8", 0)


def test_utf_16_without_a_byte_order_mark_is_still_read_as_utf_16():
    data = "First Name,Last Name,E-mail Address\r\nAna,Silva,ana@example.pt\r\n".encode("utf-16-be")

    assert (sniff(data).format, sniff(data).encoding) == (Format.OUTLOOK, "utf-16-be")


def test_a_vcard_may_start_after_a_byte_order_mark_and_blank_lines():
    assert detect_format(b"\xef\xbb\xbf\r\n\r\n  begin:vcard\r\nVERSION:3.0\r\nEND:VCARD\r\n") == Format.VCARD


def test_a_google_export_saved_by_a_spreadsheet_with_semicolons_is_still_google():
    data = b"First Name;Last Name;E-mail 1 - Label;E-mail 1 - Value\r\nAna;Silva;Home;ana@example.pt\r\n"

    assert (sniff(data).format, sniff(data).delimiter) == (Format.GOOGLE, ";")


def test_an_unknown_header_is_refused_naming_what_was_seen():
    data = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAna,Silva,,,,,\r\n"

    with pytest.raises(FormatError) as error:
        detect_format(data)

    assert error.value.problems == [
        Problem(
            1,
            'this is not a contact file we know; its first line is "First Name,Last Name,URL,Email Address,'
            'Company,Position,Connected On". We read our own CSV (a header with name, email, phone, ...), '
            "Google Contacts and Outlook CSV exports, and vCard (.vcf) files",
        )
    ]


def test_a_very_long_unknown_first_line_is_shortened_in_the_message():
    with pytest.raises(FormatError) as error:
        detect_format(b"x" * 500 + b"\n")

    assert '"' + "x" * 120 + '…"' in error.value.problems[0].message


def test_an_empty_file_is_refused():
    for data in (b"", b"\xef\xbb\xbf", b"\r\n  \r\n"):
        with pytest.raises(FormatError) as error:
            detect_format(data)
        assert error.value.problems == [Problem(1, "the file is empty")]


def test_a_spreadsheet_workbook_is_refused_with_what_to_do_instead():
    with pytest.raises(FormatError) as error:
        detect_format(b"PK\x03\x04\x14\x00\x06\x00rest of a zip")

    assert error.value.problems == [
        Problem(
            1,
            "this is a spreadsheet workbook (.xlsx) or another zip file, not a CSV or vCard file; "
            "export the contacts as CSV",
        )
    ]


def test_a_header_that_is_not_utf_8_is_refused_with_its_line_and_byte():
    with pytest.raises(FormatError) as error:
        detect_format("\r\nPrénom,Nom\r\n".encode("cp1252"))

    assert error.value.problems == [
        Problem(
            2,
            'the file is not UTF-8 text (byte 0xe9 cannot be read); export or save it again as UTF-8 (in Excel: "CSV UTF-8")',
        )
    ]


def test_text_lines_keep_their_endings_and_a_last_line_without_one():
    assert list(text_lines(b"a\r\nb\nc\rd", "utf-8")) == ["a\r\n", "b\n", "c\r", "d"]


def test_text_lines_join_a_line_ending_and_a_character_split_between_chunks(monkeypatch):
    monkeypatch.setattr("contacts.formats.detect._CHUNK", 4)
    data = "ab\r\nü€\r\n日本\n".encode()  # chunks end inside "\r\n" and inside multi-byte characters

    assert list(text_lines(data, "utf-8")) == ["ab\r\n", "ü€\r\n", "日本\n"]
    assert list(text_lines("ab\r\ncd".encode("utf-16-le"), "utf-16-le")) == ["ab\r\n", "cd"]


def test_text_lines_stop_at_the_first_undecodable_byte_with_its_line(monkeypatch):
    monkeypatch.setattr("contacts.formats.detect._CHUNK", 5)
    lines = text_lines(b"one\r\ntwo\r\nthree \xff\r\nfour\r\n", "utf-8")

    assert [next(lines), next(lines)] == ["one\r\n", "two\r\n"]
    with pytest.raises(NotText) as error:
        next(lines)
    assert error.value.problem.line == 3
    assert "byte 0xff" in error.value.problem.message


def test_a_file_is_decoded_a_chunk_at_a_time_not_all_at_once(monkeypatch):
    decoded = []
    monkeypatch.setattr("contacts.formats.detect._CHUNK", 1024)
    data = b"name,email\n" + b"Dana Lee,dana@example.com\n" * 1000
    original = __import__("codecs").getincrementaldecoder("utf-8")

    class Recording(original):
        def decode(self, chunk, final=False):
            decoded.append(len(chunk))
            return super().decode(chunk, final)

    monkeypatch.setattr("contacts.formats.detect.codecs.getincrementaldecoder", lambda encoding: Recording)
    lines = text_lines(data, "utf-8")
    next(lines)

    assert decoded == [1024]
    assert sum(1 for _ in lines) == 1000


def test_the_lines_before_an_undecodable_byte_are_read_even_in_the_same_chunk():
    lines = text_lines(b"one\ntwo\n\xe9three\n", "utf-8")

    assert [next(lines), next(lines)] == ["one\n", "two\n"]
    with pytest.raises(NotText) as error:
        next(lines)
    assert error.value.problem.line == 3


def test_a_line_of_many_chunks_without_a_line_ending_is_read_whole():
    # A file of one 3 MB line: searching it again for every chunk would never finish.
    assert [len(line) for line in text_lines(b"x" * 3_000_000 + b"\r\ny", "utf-8")] == [3_000_002, 1]


def test_control_characters_in_a_header_neither_hide_its_format_nor_reach_the_message():
    assert detect_format(b"First\x00 Name,E-mail 1 - Va\x00lue\r\n") == Format.GOOGLE
    with pytest.raises(FormatError) as error:
        detect_format(b"\x1b[31mred\x1b[0m,\x00nothing\r\n")
    assert '"[31mred[0m,nothing"' in error.value.problems[0].message
