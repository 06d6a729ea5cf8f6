from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.formats.records import Entry, PersonRecord
from contacts.formats.vcard import format_card, read_vcard, write_vcard


def test_a_record_is_written_as_a_vcard_4_0_card():
    record = PersonRecord(
        name="Dana Lee",
        given_name="Dana",
        family_name="Lee",
        emails=(Entry("dana@work.example", "work", True), Entry("dana@home.example", "other")),
        phones=(Entry("+1-415-555-0100", "mobile", True), Entry("+1 415 555 0199", "work fax"), Entry("0800 1234", "")),
        company="Northwind; Traders, Inc.",
        title="Head of Partnerships",
        labels=("Suppliers", "Work,Play"),
        note="Met in Lyon.\nPrefers a call.",
        uid="urn:uuid:0f2c7a4e-1111-2222-3333-444455556666",
    )

    assert format_card(record) == (
        "BEGIN:VCARD\r\n"
        "VERSION:4.0\r\n"
        "UID:urn:uuid:0f2c7a4e-1111-2222-3333-444455556666\r\n"
        "FN:Dana Lee\r\n"
        "N:Lee;Dana;;;\r\n"
        "ORG:Northwind\\; Traders\\, Inc.\r\n"
        "TITLE:Head of Partnerships\r\n"
        "EMAIL;TYPE=work;PREF=1:dana@work.example\r\n"
        "item1.EMAIL:dana@home.example\r\n"
        "item1.X-ABLabel:other\r\n"
        "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+1-415-555-0100\r\n"
        "TEL;VALUE=text;TYPE=work,fax:+1 415 555 0199\r\n"
        "TEL;VALUE=text:0800 1234\r\n"
        "CATEGORIES:Suppliers,Work\\,Play\r\n"
        "NOTE:Met in Lyon.\\nPrefers a call.\r\n"
        "END:VCARD\r\n"
    )


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    card = format_card(PersonRecord(name="Ana", note="ü" * 100 + "🙂" * 30))

    lines = card.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    assert all(line.startswith(" ") for line in lines[4:-2])
    assert [record.note for record in read_vcard(card.encode())] == ["ü" * 100 + "🙂" * 30]


def test_a_fold_just_before_end_vcard_in_a_note_does_not_end_the_card():
    note = "x" * (75 - len("NOTE:")) + "END:VCARD and more"
    card = format_card(PersonRecord(name="Ana", note=note))

    assert "\r\n END:VCARD and more\r\n" in card
    assert [record.note for record in read_vcard(card.encode())] == [note]


def test_backslashes_commas_and_semicolons_survive_in_every_field():
    tricky = "a\\,b;c\\\\;d,\\n"
    record = PersonRecord(
        name=tricky,
        given_name=tricky,
        family_name=tricky,
        company=tricky,
        title=tricky,
        note=tricky,
        uid=tricky,
        labels=(tricky,),
        emails=(Entry(tricky, tricky),),
        phones=(Entry(tricky, tricky),),
    )

    assert list(read_vcard(format_card(record).encode())) == [record]


def test_an_extension_travels_in_the_tel_uri():
    card = format_card(PersonRecord(phones=(Entry("+1-418-555-0100 ext. 102", "work"),)))

    assert "TEL;VALUE=uri;TYPE=work:tel:+1-418-555-0100;ext=102\r\n" in card


def test_what_the_readers_read_from_every_fixture_is_written_and_read_back_unchanged(fixture):
    from contacts.formats.google import read_google
    from contacts.formats.outlook import read_outlook

    records = [
        item
        for name, read in [
            ("google.csv", read_google),
            ("google-legacy.csv", read_google),
            ("google-three-emails.csv", read_google),
            ("outlook.csv", read_outlook),
            ("phone-2.1.vcf", read_vcard),
            ("iphone-3.0.vcf", read_vcard),
            ("rfc-4.0.vcf", read_vcard),
        ]
        for item in read(fixture(name))
    ]

    assert len(records) == 19
    assert list(read_vcard(write_vcard(records).encode())) == records


def test_the_written_file_numbers_its_cards_from_one():
    written = write_vcard([PersonRecord(name="Ana"), PersonRecord(name="Bo")]).encode()

    assert [(r.name, r.card, r.line) for r in read_vcard(written)] == [("Ana", 1, 1), ("Bo", 2, 5)]


# vCard's special characters often, and any other character now and then.
_char = st.sampled_from("\\,;:=\n\r\t \"'aZé日🙂") | st.characters(exclude_categories=["Cs"])
_text = st.text(_char, max_size=40)
_entries = st.lists(st.tuples(_text, _text | st.sampled_from(["work", "mobile", "work fax", "other"]), st.booleans()))
_records = st.builds(
    PersonRecord,
    name=_text,
    given_name=_text,
    family_name=_text,
    emails=_entries,
    phones=_entries
    | st.lists(st.tuples(st.from_regex(r"\+[0-9]{1,12}( ext\. [0-9]{1,4})?", fullmatch=True), _text, st.booleans())),
    company=_text,
    title=_text,
    labels=st.lists(_text, max_size=4),
    note=st.text(_char, max_size=200),
    uid=_text,
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_records, max_size=3))
def test_any_records_survive_being_written_and_read_back(records):
    assert list(read_vcard(write_vcard(records).encode())) == records


def test_another_vcard_reader_reads_the_written_file():
    import vobject

    written = write_vcard(
        [
            PersonRecord(name="Dana Lee", given_name="Dana", family_name="Lee", emails=(Entry("dana@example.com"),)),
            PersonRecord(name="陈大文", phones=(Entry("+86 138 0013 8000", "mobile", True),), note="ü" * 80),
        ]
    )

    cards = list(vobject.readComponents(written))
    assert [card.fn.value for card in cards] == ["Dana Lee", "陈大文"]
    assert cards[0].n.value.family == "Lee"
    assert (cards[1].tel.value, cards[1].tel.params) == (
        "+86 138 0013 8000",
        {"VALUE": ["text"], "TYPE": ["cell"], "PREF": ["1"]},
    )
    assert cards[1].note.value == "ü" * 80
