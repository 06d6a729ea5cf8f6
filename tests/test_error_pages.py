"""Error pages as a person sees them with DEBUG off: plain words, the app's look, a way back.

Django hands the 404 template the exception's text ("Resolver404", "No Contact matches the
given query."), which is for developers; the page must not show it.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from contacts.models import Contact
from tests.factories import ContactFactory
from tests.helpers import visible_text

NOT_FOUND = "There is nothing at this address. The page or person may have been deleted, or be in a workspace you are not a member of."


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


def assert_looks_like_the_app_with_a_way_back(response):
    body = response.content.decode()
    assert "css/app.css" in body
    assert '<a href="/people/">Back to My People</a>' in body


@pytest.mark.parametrize(
    "url, developer_text",
    [
        ("/no-such-page/", "Resolver404"),
        ("/people/999999/", "No Contact matches the given query."),
    ],
)
def test_not_found_shows_a_plain_message_not_the_exception(as_member, url, developer_text):
    response = as_member.get(url)
    assert response.status_code == 404
    text = visible_text(response)
    assert "Not found" in text and NOT_FOUND in text
    assert developer_text not in response.content.decode()
    assert_looks_like_the_app_with_a_way_back(response)


@pytest.mark.parametrize(
    "url, reason",
    [
        ("/people/?audience=nobody", "There is no such audience."),
        ("/people/?stage=bogus", "Unknown stage filter 'bogus'."),
        ("/people/?q=" + "x" * 201, "The search is too long (at most 200 characters)."),
        ("/bulk/?action=explode", "Unknown action."),
    ],
)
def test_not_found_for_a_reason_of_the_apps_own_says_it(as_member, url, reason):
    response = as_member.get(url)
    assert response.status_code == 404
    text = visible_text(response)
    assert "Not found" in text and reason in text
    assert NOT_FOUND not in text
    assert_looks_like_the_app_with_a_way_back(response)


def test_another_workspaces_person_is_not_found_in_the_same_words(as_member, other_workspace):
    foreign = ContactFactory(workspace=other_workspace, name="Fiona Foreign")
    response = as_member.get(f"/people/{foreign.pk}/")
    assert response.status_code == 404
    assert NOT_FOUND in visible_text(response)
    assert "Fiona Foreign" not in response.content.decode() and "Contact" not in visible_text(response)
    assert Contact.objects.filter(pk=foreign.pk).exists()


def test_not_found_when_logged_out_still_has_the_plain_page(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert NOT_FOUND in visible_text(response)
    assert "Resolver404" not in response.content.decode()


def test_a_bad_host_is_a_plain_bad_request(db):
    response = Client().get("/accounts/login/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    text = visible_text(response)
    assert "Bad request" in text and "Nothing was changed." in text
    assert "evil.example" not in text and "ALLOWED_HOSTS" not in text


def refuse_without_words(request):
    raise PermissionDenied


def refuse_with_words(request):
    raise PermissionDenied("Only admins and managers can lift a suppression.")


# The project's URLs, and two views that refuse.
urlpatterns = [
    path("bare-403/", refuse_without_words),
    path("worded-403/", refuse_with_words),
    path("", include("cloze.urls")),
]


@pytest.mark.urls("tests.test_error_pages")
def test_forbidden_shows_the_apps_own_reason_or_a_plain_one(as_member):
    response = as_member.get("/worded-403/")
    assert response.status_code == 403
    assert "Only admins and managers can lift a suppression." in visible_text(response)
    response = as_member.get("/bare-403/")
    assert response.status_code == 403
    assert "You cannot do that here." in visible_text(response)


def test_the_server_error_page_has_no_exception_text(as_member, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals: relation contacts_contact does not exist")

    monkeypatch.setattr("contacts.views.people.build_listing", explode)
    as_member.raise_request_exception = False
    response = as_member.get("/people/")
    assert response.status_code == 500
    text = visible_text(response)
    assert "Something went wrong" in text and "Back to My People" in text
    assert "secret internals" not in response.content.decode() and "RuntimeError" not in text
