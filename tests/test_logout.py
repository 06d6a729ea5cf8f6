"""Logging out: POST only, as Django does it; a GET of the address shows a page with the button."""

import re

from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY


def test_get_of_the_logout_address_offers_a_log_out_button_and_keeps_the_user_in(as_member):
    response = as_member.get("/accounts/logout/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Log out?" in body
    assert re.search(
        r'<form method="post" action="/accounts/logout/">.*?<button type="submit"[^>]*>Log out</button>', body, re.S
    )
    assert USER_SESSION_KEY in as_member.session  # a GET never logs anyone out


def test_the_button_logs_out_and_leads_to_the_login_page(as_member):
    response = as_member.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert USER_SESSION_KEY not in as_member.session


def test_get_of_the_logout_address_when_logged_out_goes_to_log_in(client):
    response = client.get("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_the_user_menu_offers_settings_and_log_out_and_the_admin_to_staff_only(as_member, member):
    body = as_member.get("/people/").content.decode()
    menu = re.search(r'<div id="user-menu".*?</div>\s*</div>', body, re.S).group(0)
    assert re.search(r'aria-controls="user-menu">.*Mia Member', body)
    assert 'aria-haspopup="menu"' in body
    assert re.findall(r'role="menuitem"[^>]*>([^<]+)<', menu) == ["Sync suppressions", "Jobs", "Log out"]
    member.is_staff = True
    member.save()
    menu = re.search(r'<div id="user-menu".*?</div>\s*</div>', as_member.get("/people/").content.decode(), re.S).group(
        0
    )
    assert re.findall(r'role="menuitem"[^>]*>([^<]+)<', menu) == ["Sync suppressions", "Admin", "Jobs", "Log out"]
