"""Canonical forms of email addresses and phone numbers, for matching and suppression."""

import phonenumbers


def normalize_email(address: str) -> str:
    return address.strip().lower()


def normalize_phone(number: str, region: str = "US") -> str | None:
    """E.164 ("+14155550100"), or None when the text is not a possible phone number."""
    if not number or not number.strip():
        return None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str, region: str) -> str:
    """A stored E.164 number as people write it: national format in the workspace's region
    ("(415) 555-0100" in the US), international elsewhere ("+44 20 7946 0958"); as stored if unparsable."""
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    local = phonenumbers.region_code_for_number(parsed) == region
    return phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.NATIONAL if local else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
