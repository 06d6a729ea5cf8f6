"""Errors the contact services raise; views turn them into messages a person reads."""


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
