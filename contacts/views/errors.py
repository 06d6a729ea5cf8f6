"""The 404 page's view (cloze.urls.handler404), used with DEBUG off."""

from django.shortcuts import render

from contacts.exceptions import NotFound


def page_not_found(request, exception):
    # Only the app's own reasons: Django's say "Resolver404" or "No Contact matches the given query."
    reason = exception.args[0] if isinstance(exception, NotFound) and exception.args else ""
    return render(request, "404.html", {"reason": reason}, status=404)
