"""The one definition of a control character, for text on its way in and on its way out."""

import pytest
from django.core.exceptions import ValidationError

from contacts.text import control_character, for_terminal, refuse_control_characters, single_line


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ann\x00", "U+0000"),
        ("a\x1b[31m", "U+001B"),
        ("rub\x7fout", "U+007F"),
        ("next\x85line", "U+0085"),
        ("lone \ud800", "U+D800"),
        ("tab\tand\r\nbreaks", None),
        ("Zoë Ångström 李 \u202e", None),  # letters and bidi marks are text; only the terminal drops the marks
    ],
)
def test_control_character_names_the_first_one(text, found):
    assert control_character(text) == found


def test_single_line_drops_controls_and_makes_whitespace_one_space():
    assert single_line("  Ann\x00 \t\r\n Ames\x1b\x7f\x9b\ud800  ") == "Ann Ames"
    assert single_line("Ann Ames", max_length=3) == "Ann"


def test_the_form_validator_refuses_what_the_import_refuses():
    refuse_control_characters("Ann Ames\t")
    with pytest.raises(ValidationError, match=r"control characters \(U\+0000\)"):
        refuse_control_characters("Ann\x00")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Ann\x1b[2J\x1b[31mAmes\x1b[0m", "AnnAmes"),  # CSI: clear screen, colours
        ("Ann\x1b]0;owned\x07Ames", "AnnAmes"),  # OSC: window title
        ("Ann\x1b]8;;http://evil.test\x1b\\link\x1b]8;;\x1b\\", "Annlink"),  # OSC 8 hyperlink
        ("Ann\x1bcAmes", "AnnAmes"),  # ESC c: reset the terminal
        ("Ann\x9b2JAmes\x00\x07\x08", "Ann2JAmes"),  # C1 CSI, NUL, bell, backspace
        ("Ann\rLine 2\nLine\t3", "Ann Line 2 Line 3"),  # one value cannot pose as several lines
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # right-to-left override
        ("\u2066\u2067\u2068x\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c", "x"),
        ("Zoë Ångström 李", "Zoë Ångström 李"),
        ("  indented: kept  ", "  indented: kept  "),
    ],
)
def test_for_terminal_removes_escape_sequences_controls_and_bidi_formatting(text, shown):
    assert for_terminal(text) == shown


def test_a_control_character_between_spaces_leaves_one_space_and_cleaning_twice_changes_nothing():
    from contacts.text import single_line

    assert single_line("Ada \x00 Lovelace") == "Ada Lovelace"
    assert single_line(single_line("a \x1b\t b")) == single_line("a \x1b\t b") == "a b"
