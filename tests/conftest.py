import os

import pytest
from django.test import override_settings

# The sync Playwright API runs an event loop in the test thread; Django would
# otherwise refuse database access from it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from contacts.models import Role  # noqa: E402
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory  # noqa: E402


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def admin_user(workspace):
    return MembershipFactory(
        workspace=workspace, user=UserFactory(username="ada", first_name="Ada", last_name="Admin"), role=Role.ADMIN
    ).user


@pytest.fixture
def manager(workspace):
    return MembershipFactory(
        workspace=workspace, user=UserFactory(username="max", first_name="Max", last_name="Manager"), role=Role.MANAGER
    ).user


@pytest.fixture
def member(workspace):
    return MembershipFactory(
        workspace=workspace, user=UserFactory(username="mia", first_name="Mia", last_name="Member"), role=Role.MEMBER
    ).user


@pytest.fixture
def as_member(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Rivals", slug="rivals")


@pytest.fixture
def axes_on(settings):
    """Login rate limiting back on, for the tests of it (test_settings turns it off)."""
    settings.AXES_ENABLED = True


def is_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


# The test client and live_server speak plain HTTP; production settings (DEBUG off) would
# redirect to HTTPS and mark cookies Secure.
PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": False,
    "SECURE_HSTS_SECONDS": 0,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
}


@pytest.fixture(scope="session")
def _plain_http_while_live_server_starts():
    override = override_settings(**PLAIN_HTTP)
    override.enable()
    yield override
    if hasattr(override, "wrapped"):  # still enabled: live_server failed to start
        override.disable()


@pytest.fixture(scope="session")
def live_server(_plain_http_while_live_server_starts, live_server):
    """pytest-django's live_server, started while PLAIN_HTTP is in effect.

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server builds its middleware,
    so it must be off at start-up; afterwards the override is lifted so it cannot leak into
    the rest of the session (test_settings below applies it per test).
    """
    if hasattr(_plain_http_while_live_server_starts, "wrapped"):
        _plain_http_while_live_server_starts.disable()
    return live_server


@pytest.fixture(autouse=True)
def test_settings(settings):
    # Real hashing costs ~0.3 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name, value in PLAIN_HTTP.items():
        setattr(settings, name, value)
    # Login rate limiting has its own tests (tests/test_security.py), which turn it back on.
    settings.AXES_ENABLED = False
    # No collectstatic before tests: serve app files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    """`postgres` tests need row locks and real parallel writers; SQLite serializes writers."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); .ci/run runs it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
