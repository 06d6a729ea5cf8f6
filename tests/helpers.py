"""What the tests share: the htmx request headers, a signed-in client, and reading a response
as the person using the app does (its text, the dialog's confirmation, the outcome, the Undo)."""

from __future__ import annotations

import html
import json
import re

from django.http import HttpResponse
from django.test import Client

# The headers htmx sends: any htmx request, then one per region the app swaps.
HTMX = {"HX-Request": "true"}
HTMX_REGION = HTMX | {"HX-Target": "people-region"}
HTMX_DETAILS = HTMX | {"HX-Target": "details"}
HTMX_DIALOG = HTMX | {"HX-Target": "dialog-slot"}


def logged_in(user, **options) -> Client:
    """A client of its own, signed in as `user`; `options` go to Client (enforce_csrf_checks=True...)."""
    client = Client(**options)
    client.force_login(user)
    return client


def ids(*people) -> str:
    """The people's ids as the selection form sends them: comma-separated."""
    return ",".join(str(p.pk) for p in people)


def visible_text(page: HttpResponse | str) -> str:
    """The response (or its HTML) as a person reads it: no tags or scripts, entities decoded, whitespace collapsed."""
    body = page if isinstance(page, str) else page.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def status_message(response) -> str:
    """The outcome the status region announces."""
    assert response.status_code == 200, response.content.decode()[:500]
    return json.loads(response["HX-Trigger"])["contactsChanged"]["message"]


def undo_url(response) -> str:
    """Where the outcome's Undo button posts."""
    found = re.search(r'hx-post="(/undo/\d+/)"', response.content.decode())
    assert found, "no Undo button"
    return found.group(1)


def expected_from_dialog(response) -> str:
    match = re.search(r'name="expected" value="(\d+)"', response.content.decode())
    assert match, response.content.decode()[:500]
    return match.group(1)


def confirmation_from_dialog(response) -> dict[str, str]:
    """What the dialog's form sends back with a destructive confirm: the count and the fingerprint
    of the people it listed (services.Fingerprint)."""
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', response.content.decode())
    assert fingerprint, response.content.decode()[:500]
    return {"expected": expected_from_dialog(response), "fingerprint": fingerprint.group(1)}
