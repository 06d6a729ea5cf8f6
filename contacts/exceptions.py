"""Errors the contact services raise; views turn them into messages a person reads."""

from django.http import Http404


class ContactError(Exception):
    """A request that cannot be carried out; nothing was changed."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ContactError):
    status = 403


class BadSelection(ContactError):
    pass


class UnknownAction(ContactError):
    status = 404


class StaleConfirmation(ContactError):
    status = 409


class NotFound(Http404):
    """Not found, for a reason written for the person; the 404 page shows it (contacts.views.errors).

    Django's own 404s (no URL matched, get_object_or_404) carry text for developers, which the
    page does not show.
    """
