"""The login forms: the username is checked on the server, not only by the browser.

Django's AuthenticationForm sets the username's max_length after the field is built, so
only the HTML maxlength limits it; a longer name reaches authenticate(), and django-axes
then stores the failed attempt in a 255-character column: a DataError (a 500) on
PostgreSQL. Here the length the user model allows, and the app's rule for control
characters, are validators: the person gets a form error and nothing is stored.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import ngettext

from contacts.text import refuse_control_characters


class _CheckedUsername:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = self.username_field.max_length or 254
        self.fields["username"].validators += [
            MaxLengthValidator(
                limit,
                message=ngettext(
                    "A username has at most %(limit_value)d character.",
                    "A username has at most %(limit_value)d characters.",
                    limit,
                ),
            ),
            refuse_control_characters,
        ]


class LoginForm(_CheckedUsername, AuthenticationForm):
    pass


class AdminLoginForm(_CheckedUsername, AdminAuthenticationForm):
    pass
