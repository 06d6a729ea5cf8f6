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
