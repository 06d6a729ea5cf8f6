from contacts.formats.records import Entry, PersonRecord, Problem, canonical_label


def test_control_characters_and_nul_are_removed_from_every_text_value():
    record = PersonRecord(
        name="Dana\x00 Lee\x1b",
        company="Acme\x07 Ltd",
        emails=[("dana@\x00example.com", "Work\x85", False)],
        phones=[("+1 555\x00 0100", "", False)],
        labels=["Friends\x00"],
        note="first\x00 line\r\nsecond\x0c line",
        uid="abc\x01",
    )

    assert record == PersonRecord(
        name="Dana Lee",
        company="Acme Ltd",
        emails=(Entry("dana@example.com", "work"),),
        phones=(Entry("+1 555 0100"),),
        labels=("Friends",),
        note="first line\nsecond line",
        uid="abc",
    )


def test_one_line_values_lose_their_line_breaks_but_the_note_keeps_them():
    record = PersonRecord(name="Dana\n  Lee\t", title=" Head\r\nof Sales ", note="  one\n\ntwo  \n")

    assert (record.name, record.title, record.note) == ("Dana Lee", "Head of Sales", "one\n\ntwo")


def test_the_name_comes_from_the_given_and_family_names_when_the_file_has_none():
    assert PersonRecord(given_name="Dana", family_name="Lee").name == "Dana Lee"
    assert PersonRecord(family_name="Lee").name == "Lee"
    assert PersonRecord(name="Dr. D. Lee", given_name="Dana", family_name="Lee").name == "Dr. D. Lee"
    assert PersonRecord(company="Acme").name == ""


def test_an_address_written_twice_is_kept_once_with_its_first_label_and_any_preference():
    record = PersonRecord(
        emails=[("Dana@Example.com", "work", False), ("dana@example.com", "home", True), ("", "home", True)],
        phones=[("+91 80139 11111", "mobile", False), ("+918013911111", "", False), ("(0)20 7946-0000", "", False)],
    )

    assert record.emails == (Entry("Dana@Example.com", "work", True),)
    assert record.phones == (Entry("+91 80139 11111", "mobile"), Entry("(0)20 7946-0000"))


def test_labels_and_groups_are_kept_once_in_file_order():
    assert PersonRecord(labels=["Friends", " ", "friends", "Work"]).labels == ("Friends", "Work")


def test_the_formats_words_for_a_label_meet_in_one_vocabulary():
    assert [canonical_label(word) for word in ("Mobile", "CELL", "_$!<Mobile>!$_", "iPhone")] == ["mobile"] * 4
    assert [canonical_label(word) for word in ("Business", "WORK", "_$!<Work>!$_")] == ["work"] * 3
    assert [canonical_label(word) for word in ("Business Fax", "_$!<WorkFAX>!$_", "Work Fax")] == ["work fax"] * 3
    assert [canonical_label(word) for word in ("INTERNET", "pref", "")] == ["", "", ""]
    assert canonical_label("_$!<Other>!$_") == "other"
    assert canonical_label("Father") == "Father"


def test_where_a_record_came_from_does_not_make_it_different():
    assert PersonRecord(name="Dana", line=2) == PersonRecord(name="Dana", line=40, card=7)


def test_a_problem_reads_as_its_line_and_message():
    assert str(Problem(3, "the quote is never closed")) == "line 3: the quote is never closed"
