"""Page or fragment (issue 11.4): the same URL answers htmx with a fragment and the browser with the
page, so every such answer says it varies by the htmx headers, fragments stay out of caches, and a
history restore always gets the whole page."""

import json
import re

import pytest
from django.utils.cache import has_vary_header

from tests.factories import ContactFactory
from tests.helpers import HTMX, HTMX_DETAILS, HTMX_REGION

RESTORE = HTMX | {"HX-History-Restore-Request": "true"}


def is_whole_page(response) -> bool:
    body = response.content.decode()
    return "<html" in body and '<link rel="stylesheet"' in body and 'class="app-header"' in body


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def pat(workspace):
    return ContactFactory(workspace=workspace, name="Pat Quinn")


@pytest.mark.parametrize("headers", [{}, HTMX_REGION], ids=["page", "fragment"])
def test_the_people_page_and_its_fragment_both_vary_by_the_htmx_headers(as_member, pat, headers):
    response = as_member.get("/people/?audience=my-people", headers=headers)
    assert "Pat Quinn" in response.content.decode()
    assert is_whole_page(response) is not bool(headers)
    # Without HX-Request nothing else was asked; with it, the target and "is it a restore" chose the fragment.
    read = ("HX-Request", "HX-Target", "HX-History-Restore-Request") if headers else ("HX-Request",)
    for header in read:
        assert has_vary_header(response, header), (header, response.get("Vary"))
    assert has_vary_header(response, "Cookie")  # the session's own Vary is kept


@pytest.mark.parametrize("headers", [{}, HTMX_DETAILS], ids=["page", "fragment"])
def test_a_person_and_their_details_fragment_both_vary_by_the_htmx_headers(as_member, pat, headers):
    response = as_member.get(f"/people/{pat.pk}/?audience=my-people&view=list", headers=headers)
    assert "Pat Quinn" in response.content.decode()
    assert is_whole_page(response) is not bool(headers)
    assert has_vary_header(response, "HX-Request")
    assert has_vary_header(response, "HX-Target") is bool(headers)


def test_a_fragment_is_kept_out_of_every_cache_and_the_page_is_not(as_member, pat):
    assert "no-store" in cache_control(as_member.get("/people/", headers=HTMX_REGION))
    assert "no-store" in cache_control(as_member.get(f"/people/{pat.pk}/", headers=HTMX_DETAILS))
    assert "no-store" not in cache_control(as_member.get("/people/"))


def test_the_dialog_says_it_depends_on_htmx(as_member, pat):
    url = f"/bulk/archive/?audience=my-people&selection=ids&ids={pat.pk}"
    dialog = as_member.get(url, headers=HTMX)
    page = as_member.get(url)
    assert "Archive 1 person?" in dialog.content.decode() and not is_whole_page(dialog)
    assert is_whole_page(page)
    assert has_vary_header(dialog, "HX-Request") and has_vary_header(page, "HX-Request")


def test_a_page_that_never_looks_at_htmx_does_not_vary_by_it(as_member):
    response = as_member.get("/settings/suppressions/")
    assert "Don't re-create from sync" in response.content.decode()
    assert not has_vary_header(response, "HX-Request")


@pytest.mark.parametrize("target", ["people-region", "details"])
def test_a_history_restore_gets_the_whole_page_whatever_the_target(as_member, pat, target):
    response = as_member.get(f"/people/{pat.pk}/?audience=my-people&view=list", headers=RESTORE | {"HX-Target": target})
    assert is_whole_page(response)
    assert "Pat Quinn" in response.content.decode()
    assert "no-store" not in cache_control(response)


def test_htmx_restores_history_from_the_server_as_a_plain_page_request(as_member):
    """base.html: no DOM snapshots (they would show people as they were before an action), and the
    restore request is not sent as an htmx request (the vendored htmx 2's own advice when HX-Request
    chooses partial responses)."""
    page = as_member.get("/people/").content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page).group(1))
    assert config["historyCacheSize"] == 0
    assert config["historyRestoreAsHxRequest"] is False
