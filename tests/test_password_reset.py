"""Password reset by email, and what a server without mail says instead.

Mail comes from the environment (cloze/settings.py): the console in development, Django's
outbox in tests, SMTP in production when EMAIL_HOST is set. A production server without mail
has no "Forgot password?" link, and the reset pages say to ask an admin.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import UserFactory
from tests.helpers import visible_text

ROOT = Path(__file__).resolve().parent.parent
OLD_PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def pat(db):
    return UserFactory(username="pat", email="pat@example.com")


@pytest.fixture
def without_mail(settings):
    settings.PASSWORD_RESET_BY_EMAIL = False


def looks_like_the_app(response):
    body = response.content.decode()
    assert "css/app.css" in body and 'class="card login-card"' in body
    assert "Django administration" not in body and "admin/css" not in body


def test_the_login_page_offers_a_password_reset(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert re.search(r'<a href="/accounts/password_reset/">Forgot password\?</a>', response.content.decode())


def test_the_whole_reset_flow_from_the_email_to_logging_in_with_the_new_password(client, pat):
    response = client.get("/accounts/password_reset/")
    looks_like_the_app(response)
    assert "Enter the email address of your account" in visible_text(response)

    response = client.post("/accounts/password_reset/", {"email": "PAT@example.com"}, follow=True)
    looks_like_the_app(response)
    assert "Check your email" in visible_text(response)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.com"]
    assert message.subject == "Reset your My People password"
    assert "Your username is pat." in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)
    looks_like_the_app(response)
    assert "Choose a new password" in visible_text(response)
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    looks_like_the_app(response)
    assert "Your password has been set" in visible_text(response)

    pat.refresh_from_db()
    assert pat.check_password(NEW_PASSWORD)
    response = client.post("/accounts/login/", {"username": "pat", "password": OLD_PASSWORD})
    assert "did not match" in visible_text(response)
    response = client.post("/accounts/login/", {"username": "pat", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(pat.pk)

    # The link works once.
    response = client.get(link, follow=True)
    assert "This reset link has expired or was already used" in visible_text(response)


def test_a_new_password_that_is_too_weak_is_refused_and_the_old_one_still_works(client, pat):
    client.post("/accounts/password_reset/", {"email": "pat@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    looks_like_the_app(response)
    assert "This password is too common." in visible_text(response)
    pat.refresh_from_db()
    assert pat.check_password(OLD_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, pat):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in visible_text(response)
    assert mail.outbox == []


def test_a_tampered_reset_link_is_refused_clearly(client, pat):
    response = client.get("/accounts/reset/MQ/not-a-token/", follow=True)
    looks_like_the_app(response)
    assert "This reset link has expired or was already used" in visible_text(response)
    assert 'name="new_password1"' not in response.content.decode()


# --- a production server without mail ---------------------------------------------------------


def test_without_mail_the_login_page_has_no_reset_link(client, db, without_mail):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Forgot password?" not in visible_text(response)
    assert "/accounts/password_reset/" not in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/MQ/set-password/"]
)
def test_without_mail_the_reset_pages_say_to_ask_an_admin(client, db, without_mail, url):
    response = client.get(url)
    assert response.status_code == 200
    looks_like_the_app(response)
    text = visible_text(response)
    assert "This server cannot send email, so ask an admin of your team to set a new password for you." in text
    assert "Check your email" not in text and 'name="email"' not in response.content.decode()


def test_without_mail_asking_for_a_reset_sends_nothing_and_changes_nothing(client, pat, without_mail):
    password_before = get_user_model().objects.get(pk=pat.pk).password
    response = client.post("/accounts/password_reset/", {"email": "pat@example.com"})
    assert response.status_code == 200
    assert "ask an admin of your team" in visible_text(response)
    assert mail.outbox == []
    assert get_user_model().objects.get(pk=pat.pk).password == password_before


# --- where the mail settings come from ---------------------------------------------------------

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "a-production-secret-" + "k" * 50}


def mail_settings(**environment) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "DEFAULT_FROM_EMAIL"}
    for name in ("TESTING", "DEBUG", "SECRET_KEY"):
        env.pop(name, None)
    env.update(environment, DJANGO_SETTINGS_MODULE="cloze.settings")
    names = ["MAILERS", "DEFAULT_FROM_EMAIL", "PASSWORD_RESET_BY_EMAIL"]
    code = f"import json; from django.conf import settings; print(json.dumps({{n: getattr(settings, n) for n in {names}}}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


def backend(found: dict) -> str:
    return found["MAILERS"]["default"]["BACKEND"].removeprefix("django.core.mail.backends.")


def test_development_prints_email_to_the_console():
    found = mail_settings(DEBUG="1")
    assert backend(found) == "console.EmailBackend"
    assert found["PASSWORD_RESET_BY_EMAIL"] is True


def test_development_with_an_email_host_sends_real_mail():
    assert backend(mail_settings(DEBUG="1", EMAIL_HOST="smtp.example.com")) == "smtp.EmailBackend"


def test_tests_keep_email_in_the_outbox_whatever_the_environment_says():
    found = mail_settings(TESTING="1", EMAIL_HOST="smtp.example.com")
    assert backend(found) == "locmem.EmailBackend"
    assert found["PASSWORD_RESET_BY_EMAIL"] is True


def test_production_sends_by_smtp_from_the_environment_with_starttls_by_default():
    found = mail_settings(
        **PRODUCTION,
        EMAIL_HOST="smtp.example.com",
        EMAIL_HOST_USER="people@example.com",
        EMAIL_HOST_PASSWORD="s3cret",
        DEFAULT_FROM_EMAIL="My People <people@example.com>",
    )
    assert found == {
        "MAILERS": {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "smtp.example.com",
                    "port": 587,
                    "username": "people@example.com",
                    "password": "s3cret",
                    "use_ssl": False,
                    "use_tls": True,
                    "timeout": 10,
                },
            }
        },
        "DEFAULT_FROM_EMAIL": "My People <people@example.com>",
        "PASSWORD_RESET_BY_EMAIL": True,
    }


@pytest.mark.parametrize(
    "environment, port, use_ssl, use_tls",
    [
        ({"EMAIL_USE_SSL": "1"}, 465, True, False),
        ({"EMAIL_USE_TLS": "0", "EMAIL_PORT": "25"}, 25, False, False),
        ({"EMAIL_PORT": "2525"}, 2525, False, True),
    ],
)
def test_production_smtp_port_and_encryption_follow_the_environment(environment, port, use_ssl, use_tls):
    options = mail_settings(**PRODUCTION, EMAIL_HOST="smtp.example.com", **environment)["MAILERS"]["default"]["OPTIONS"]
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (port, use_ssl, use_tls)


def test_a_mail_port_that_is_not_a_number_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in ("TESTING", "DEBUG", "SECRET_KEY")}
    env.update(PRODUCTION, EMAIL_HOST="smtp.example.com", EMAIL_PORT="smtp")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_PORT must be a whole number, not 'smtp': the mail server's port." in (
        result.stderr
    )


def test_production_without_email_host_turns_password_reset_off():
    found = mail_settings(**PRODUCTION)
    assert found["PASSWORD_RESET_BY_EMAIL"] is False
