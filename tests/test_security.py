"""Login rate limiting, deployment checks and the Content Security Policy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parent.parent


def test_login_is_locked_after_five_failures_even_with_the_right_password(client, admin_user, axes_on):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_few_failures_then_the_right_password_logs_in(client, admin_user, axes_on):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


PROXY = "10.0.0.9"  # what REMOTE_ADDR is for every request that comes through the proxy


def login_through_proxy(client, forwarded_for: str, password: str):
    return client.post(
        "/accounts/login/",
        {"username": "ada", "password": password},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": forwarded_for},
    )


def fail_five_times(client, forwarded_for: str):
    for _ in range(5):
        response = login_through_proxy(client, forwarded_for, "wrong")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_without_proxy_count_x_forwarded_for_is_ignored_so_it_cannot_lift_a_lockout(admin_user, axes_on):
    fail_five_times(Client(), "203.0.113.5")
    response = login_through_proxy(Client(), "198.51.100.7", "pw-for-tests-1")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_with_proxy_count_clients_behind_the_proxy_are_locked_out_separately(admin_user, axes_on, settings):
    settings.PROXY_COUNT = 1
    locked, other = Client(), Client()
    fail_five_times(locked, "203.0.113.5")
    response = login_through_proxy(other, "198.51.100.7", "pw-for-tests-1")
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(admin_user.pk)
    # The locked client stays locked, even when it puts another address in front of the proxy's.
    for forwarded_for in ("203.0.113.5", "198.51.100.7, 203.0.113.5"):
        response = login_through_proxy(locked, forwarded_for, "pw-for-tests-1")
        assert response.status_code == 429
        assert "_auth_user_id" not in locked.session
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@pytest.mark.parametrize("forwarded_for", ["", "not-an-address", "203.0.113.5; DROP", "999.1.1.1", " , "])
def test_with_proxy_count_a_missing_or_junk_forwarded_address_counts_as_the_proxy(
    admin_user, axes_on, settings, forwarded_for
):
    settings.PROXY_COUNT = 1
    response = login_through_proxy(Client(), forwarded_for, "wrong")
    assert "did not match" in response.content.decode()
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


def test_with_two_proxies_the_address_the_outer_proxy_saw_counts(admin_user, axes_on, settings):
    settings.PROXY_COUNT = 2
    # client -> outer proxy (writes the client's address) -> inner proxy (writes the outer's) -> app
    login_through_proxy(Client(), "1.2.3.4, 203.0.113.5, 10.0.0.1", "wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_a_proxy_count_that_is_not_a_number_refuses_to_start(value):
    result = manage("check", DEBUG="1", PROXY_COUNT=value)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: PROXY_COUNT must be a whole number, not {value!r}: the number of reverse" in (
        result.stderr
    )


def test_wrong_password_says_so_without_saying_which_part(client, admin_user, axes_on):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert "did not match" in response.content.decode()


def manage(*args, **environment) -> subprocess.CompletedProcess:
    """Run manage.py as an operator would: this process's environment minus the test suite's flags."""
    env = {**os.environ, "ALLOWED_HOSTS": "people.example.com"}
    for name in ("TESTING", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the last: tests/conftest.py
        env.pop(name, None)
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_with_production_environment():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY="a-production-secret-" + "k" * 50
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "   ", "django-insecure-development-only-key"],
    ids=["unset", "empty", "blank", "the development key"],
)
def test_production_settings_refuse_to_start_without_a_real_secret_key(secret_key):
    environment = {"DEBUG": "0"} if secret_key is None else {"DEBUG": "0", "SECRET_KEY": secret_key}
    result = manage("check", **environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    # It says how to make one, and where the development key is still allowed.
    assert "secrets.token_urlsafe(50)" in result.stderr
    assert "DEBUG=1" in result.stderr and "TESTING=1" in result.stderr
    assert "Traceback" in result.stderr  # an exception, not a warning that scrolls by


@pytest.mark.parametrize("flag", ["DEBUG", "TESTING"])
def test_development_and_tests_start_without_a_secret_key(flag):
    result = manage("check", **{flag: "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_send_a_content_security_policy_allowing_only_our_own_scripts(client, admin_user, workspace):
    ContactFactory(workspace=workspace)
    client.force_login(admin_user)
    policy = client.get("/people/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        if "<script>" in text or " style=" in text or "<style" in text or " onclick=" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []
