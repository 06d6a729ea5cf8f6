"""The login pages refuse a username the database could not hold, with a clear message.

django-axes records every failed login with its username (255 characters at most); a longer
one was a 500 on PostgreSQL. Run on both databases, through the real views, with axes on.
"""

import pytest
from axes.models import AccessAttempt


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_a_username_longer_than_the_user_model_allows_is_a_form_error(client, admin_user, axes_on, url, length):
    response = client.post(url, {"username": "a" * length, "password": "wrong"})
    assert response.status_code == 200
    assert "A username has at most 150 characters." in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert "_auth_user_id" not in client.session


def test_the_login_page_says_what_is_wrong_with_the_username(client, admin_user, axes_on):
    page = client.post("/accounts/login/", {"username": "a" * 256, "password": "wrong"}).content.decode()
    assert "did not match" not in page  # not the wrong-password message: the password was never checked
    assert 'maxlength="150"' in page


@pytest.mark.parametrize("username", ["ada\x00", "ada\x1b[2J"])
def test_a_username_with_a_control_character_is_a_form_error(client, admin_user, axes_on, username):
    page = client.post("/accounts/login/", {"username": username, "password": "wrong"}).content.decode()
    assert "Null characters are not allowed." in page or "This cannot contain control characters" in page
    assert not AccessAttempt.objects.exists()


def test_a_long_but_possible_username_still_counts_towards_the_lockout(client, admin_user, axes_on):
    client.post("/accounts/login/", {"username": "a" * 150, "password": "wrong"})
    assert AccessAttempt.objects.get().username == "a" * 150


def test_the_right_password_still_logs_in(client, admin_user, axes_on):
    response = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)
