"""Login rate limiting, deployment checks and the Content Security Policy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


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


def test_wrong_password_says_so_without_saying_which_part(client, admin_user, axes_on):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert "did not match" in response.content.decode()


def test_check_deploy_reports_nothing_with_production_environment():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-production-secret-" + "k" * 50,
        "ALLOWED_HOSTS": "people.example.com",
    }
    env.pop("TESTING", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
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
