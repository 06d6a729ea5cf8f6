"""How a view answers: page or fragment, decided in one place, and what a refused change says.

One URL answers with the whole page to the browser and with a fragment to htmx
(`render_page_or_fragment`, as django-htmx-patterns' `for_htmx`); after a POST, htmx gets a
fragment and a browser without JavaScript a message and a redirect (`fragment_or_redirect`).
`wants_fragment` is the one test behind both.

The browser's cache keys by URL alone unless the response says otherwise, so after a fragment
was fetched, Back from another page could show that bare fragment as the page. Like
SessionMiddleware's `Vary: Cookie`, the middleware below adds `Vary` for every htmx header the
view or its templates read, and keeps fragments out of every cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib import messages
from django.db import DatabaseError, IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy
from django_htmx.middleware import HtmxDetails


class _HtmxDetailsReadLog(HtmxDetails):
    """django-htmx's request.htmx, remembering which of its headers were read."""

    def __init__(self, request) -> None:
        super().__init__(request)
        self.headers_read: set[str] = set()

    def _get_header_value(self, name: str) -> str | None:
        self.headers_read.add(name)
        return super()._get_header_value(name)


class HtmxMiddleware:
    """Sets request.htmx (as django-htmx's does); afterwards says what the response varied by."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = details = _HtmxDetailsReadLog(request)
        response = self.get_response(request)
        if details.headers_read:
            patch_vary_headers(response, sorted(details.headers_read))
        if "HX-Request" in details.headers_read and wants_fragment(request):
            # A fragment is never a page: no cache (the browser's, or a proxy ignoring Vary) keeps it.
            patch_cache_control(response, no_store=True)
        return response


def wants_fragment(request, target: str | None = None) -> bool:
    """Whether to answer with a fragment: an htmx swap (aimed at `target`, if given).

    A history restore (Back or Forward to an address htmx pushed) wants the whole page, even if
    htmx sent it as an htmx request.
    """
    htmx = request.htmx
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def render_page_or_fragment(
    request, page: str, context: dict, *, fragments: Mapping[str | None, str], status: int = 200
) -> HttpResponse:
    """The page, or, for an htmx swap aimed at one of `fragments`' targets, that target's
    template (a partial such as "contacts/people.html#details"; the target None: any swap)."""
    template = next((fragment for target, fragment in fragments.items() if wants_fragment(request, target)), page)
    return render(request, template, context, status=status)


def fragment_or_redirect(
    request, fragment: Callable[[], HttpResponse], *, message: str, to: str, error: bool = False
) -> HttpResponse:
    """After a POST: htmx swaps in `fragment()`; without JavaScript the message is shown on the
    page the browser is sent to (`to`: an address or a URL name)."""
    if wants_fragment(request):
        return fragment()
    (messages.error if error else messages.success)(request, message)
    return redirect(to)


SOMEONE_ELSE = gettext_lazy(
    "Someone changed these people at the same moment, so nothing was changed. Please try again."
)
BUSY = gettext_lazy("The database was busy or unavailable, so nothing was changed. Please try again.")


def database_refusal(error: DatabaseError) -> tuple[str, int]:
    """What to say, and the status, when the database refused a change (rolled back: nothing changed).

    An IntegrityError here is a constraint another request's change made true meanwhile (409);
    any other DatabaseError is a busy or unavailable database (503).
    """
    if isinstance(error, IntegrityError):
        return str(SOMEONE_ELSE), 409
    return str(BUSY), 503
