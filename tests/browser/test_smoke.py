"""Smoke: the browser harness works, and a member can log in and see their workspace's people."""

from playwright.sync_api import expect

from contacts.models import Stage
from tests.factories import ContactFactory


def test_chromium_loads_the_admin_login(page, live_server, screenshot):
    """The harness itself: Chromium starts, reaches the live server, and static files are served."""
    response = page.goto(live_server.url + "/admin/login/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    css = page.request.get(live_server.url + "/static/admin/css/base.css")
    assert css.status == 200, "static files are not served by the live server"
    assert screenshot(page, "smoke-admin-login").stat().st_size > 0


def test_log_in_and_see_my_people(logged_in_page, workspace, other_workspace, screenshot):
    ContactFactory(workspace=workspace, name="Grace Hopper", stage=Stage.LEAD)
    ContactFactory(workspace=workspace, name="Alan Turing", stage=Stage.ACTIVE)
    ContactFactory(workspace=other_workspace, name="Someone Else Entirely")
    page = logged_in_page
    page.reload()

    expect(
        page.get_by_role("heading", name="My People").or_(page.get_by_role("button", name="My People")).first
    ).to_be_visible()
    expect(page.get_by_text("Grace Hopper").first).to_be_visible()
    expect(page.get_by_text("Alan Turing").first).to_be_visible()
    expect(page.get_by_text("Someone Else Entirely")).to_have_count(0)
    screenshot(page, "smoke-my-people")
