"""Page or fragment: the one place that decides, and that tells caches the answer depended on htmx.

One URL answers with the whole page to the browser and with a fragment to htmx. The browser's
cache keys by URL alone unless the response says otherwise, so after a fragment was fetched,
Back from another page could show that bare fragment as the page. Like SessionMiddleware's
`Vary: Cookie`, the middleware below adds `Vary` for every htmx header the view or its templates
read, and keeps fragments out of every cache.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers
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
