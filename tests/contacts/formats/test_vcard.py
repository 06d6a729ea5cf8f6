from contacts.formats.records import Entry, PersonRecord, Problem
from contacts.formats.vcard import read_vcard


def test_a_phones_vcard_2_1_export_is_read_with_quoted_printable_and_its_charset(fixture):
    assert list(read_vcard(fixture("phone-2.1.vcf"))) == [
        PersonRecord(
            name="陈大文",
            given_name="大文",
            family_name="陈",
            emails=(Entry("chen@example.cn", "home"),),
            phones=(Entry("+86 138 0013 8000", "mobile", True), Entry("010-6552 0000", "home")),
            note="Met at the Canton fair, stand 4.\nLikes green tea, not coffee.",
        ),
        PersonRecord(
            name="Anil Kumar",
            given_name="Anil",
            family_name="Kumar",
            # X-Mobile is Android's word for mobile; the same number written twice is kept once.
            phones=(
                Entry("+91 90385 22222", "mobile"),
                Entry("+91 98301 44444", "mobile"),
                Entry("8012441234", "other"),
            ),
        ),
        PersonRecord(
            name="Jürgen Müller",
            given_name="Jürgen",
            family_name="Müller",
            emails=(Entry("juergen@baeckerei.example", "", True),),
            company="Bäckerei Müller",
            # 2.1 does not escape commas: the whole note is kept.
            note="Delivers on Tuesdays, Thursdays and Saturdays",
        ),
    ]


def test_an_iphone_vcard_3_0_export_is_read_with_item_groups_and_their_labels(fixture):
    assert list(read_vcard(fixture("iphone-3.0.vcf"))) == [
        PersonRecord(
            name="Dana Lee",
            given_name="Dana",
            family_name="Lee",
            emails=(Entry("dana.lee@northwind.example", "other", True), Entry("dana@work.example", "work")),
            phones=(
                Entry("+1 (415) 555-0100", "mobile", True),
                Entry("+1 415 555 0199", "work fax"),
                Entry("+1 415 555 0142", "Assistant"),
            ),
            company="Northwind Traders",
            title="Head of Partnerships",
            labels=("Suppliers", "Work,Play"),
            note="Met at the Lyon fair, stand 14.\nPrefers a call in the morning, never on Fridays.",
            uid="6E5C2D1A-7B8E-4F2A-9C3D-1E2F3A4B5C6D",
        ),
        # FN is the name shown; N keeps the given and family names, even when they differ.
        PersonRecord(
            name="Jimmy Aun",
            given_name="Jimmy",
            family_name="Wang",
            phones=(Entry("+1 (413) 555-1156", "", True),),
            note="Some notes",
        ),
        PersonRecord(emails=(Entry("info@leawood.example"),), phones=(Entry("+1 913 555 0150", "mobile"),)),
    ]


def test_a_vcard_4_0_is_read_with_tel_uris_pref_and_quoted_type_lists(fixture):
    assert list(read_vcard(fixture("rfc-4.0.vcf"))) == [
        PersonRecord(
            name="Dr. Simone Perreault, PhD",
            given_name="Simone",
            family_name="Perreault",
            emails=(Entry("simone@viagenie.example", "work"), Entry("simone@home.example", "home", True)),
            phones=(
                Entry("+1-418-555-0102", "mobile", True),
                Entry("+1-418-555-0100 ext. 102", "work"),
                Entry("(418) 555-0199", "home"),
            ),
            company="Viagenie",
            title="Researcher",
            labels=("BUSINESS", "NETWORKING"),
            note="A long note that is folded because it goes on for more than seventy-five octets, as RFC 6350 asks.",
            uid="urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        ),
        PersonRecord(name="Kai Nakamura", given_name="Kai", family_name="Nakamura", emails=(Entry("kai@example.jp"),)),
    ]


def test_each_record_knows_its_card_number_and_the_line_it_starts_on(fixture):
    assert [(r.card, r.line) for r in read_vcard(fixture("iphone-3.0.vcf"))] == [(1, 1), (2, 22), (3, 32)]


def test_a_truncated_last_card_is_a_problem_and_the_cards_before_it_are_read(fixture):
    assert list(read_vcard(fixture("truncated.vcf"))) == [
        PersonRecord(name="Ana Silva", given_name="Ana", family_name="Silva", emails=(Entry("ana@example.pt"),)),
        PersonRecord(
            name="Bo Chen", given_name="Bo", family_name="Chen", phones=(Entry("+86 139 0000 0000", "mobile"),)
        ),
        Problem(13, "card 3 has no END:VCARD: the file may be cut off; the card was not read"),
    ]


def test_a_broken_card_is_a_problem_with_its_number_and_line_and_the_other_cards_are_read(fixture):
    assert list(read_vcard(fixture("broken-card.vcf"))) == [
        PersonRecord(name="Ana Silva", emails=(Entry("ana@example.pt"),)),
        Problem(9, "card 2: line 9 cannot be read (it is not NAME:value); the card was not read"),
        PersonRecord(name="Carla Rossi", emails=(Entry("carla@example.it"),)),
    ]


def test_a_card_without_an_end_before_the_next_card_is_a_problem():
    data = b"BEGIN:VCARD\r\nFN:Ana\r\nBEGIN:VCARD\r\nFN:Bo\r\nEND:VCARD\r\n"

    assert list(read_vcard(data)) == [
        Problem(1, "card 1 has no END:VCARD before the next card (line 3); it was not read"),
        PersonRecord(name="Bo"),
    ]


def test_text_between_cards_is_a_problem_but_blank_lines_and_a_trailing_ctrl_z_are_not():
    data = b"BEGIN:VCARD\nFN:Ana\nEND:VCARD\n\nnot a card\nnor this\nBEGIN:VCARD\nFN:Bo\nEND:VCARD\n\x1a"

    assert list(read_vcard(data)) == [
        PersonRecord(name="Ana"),
        Problem(5, "this text is outside any card (BEGIN:VCARD ... END:VCARD) and was not read"),
        PersonRecord(name="Bo"),
    ]


def test_quoted_printable_that_is_not_its_charset_is_a_problem_for_that_card():
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=FCller\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller\r\nEND:VCARD\r\n"
    )

    assert list(read_vcard(data)) == [
        Problem(3, "card 1: line 3 cannot be read (its quoted-printable text is not UTF-8); the card was not read"),
        PersonRecord(name="Müller"),
    ]


def test_a_vcard_file_that_is_not_utf_8_is_a_problem_at_its_line():
    data = "BEGIN:VCARD\r\nFN:Ana\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Jürgen\r\nEND:VCARD\r\n".encode("cp1252")

    assert list(read_vcard(data)) == [
        PersonRecord(name="Ana"),
        Problem(
            5,
            'the file is not UTF-8 text (byte 0xfc cannot be read); export or save it again as UTF-8 (in Excel: "CSV UTF-8")',
        ),
    ]


def test_the_name_comes_from_n_when_there_is_no_fn_and_from_nickname_when_there_is_neither():
    data = (
        b"BEGIN:VCARD\nVERSION:2.1\nN:Perreault;Simone;Marie,Claire;Dr.;\nEND:VCARD\n"
        b"BEGIN:VCARD\nVERSION:3.0\nFN:\nNICKNAME:Sam the plumber\nEND:VCARD\n"
    )

    assert list(read_vcard(data)) == [
        PersonRecord(name="Simone Marie Claire Perreault", given_name="Simone", family_name="Perreault"),
        PersonRecord(name="Sam the plumber"),
    ]


def test_escaped_semicolons_stay_inside_a_name_part_and_org_units_are_not_the_company():
    data = (
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Chopade\nN:\\;Bhavana/2;Chopade;;;\nORG:Acme\\, Inc.;Research;Lab 2\nEND:VCARD\n"
    )

    assert list(read_vcard(data)) == [
        PersonRecord(name="Chopade", given_name="Chopade", family_name=";Bhavana/2", company="Acme, Inc.")
    ]


def test_control_characters_in_a_card_are_removed():
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN:Ana\x00 Sil\x07va\nEMAIL:ana@\x00example.pt\nEND:VCARD\n"

    assert list(read_vcard(data)) == [PersonRecord(name="Ana Silva", emails=(Entry("ana@example.pt"),))]


def test_an_empty_vcard_file_reads_as_no_cards():
    assert list(read_vcard(b"")) == []
