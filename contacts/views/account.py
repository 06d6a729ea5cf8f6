"""Password reset by email, offered only where this server can send email.

Django's own views do the work; settings.PASSWORD_RESET_BY_EMAIL (cloze/settings.py) says
whether mail is configured. Without it every reset page says to ask an admin instead of
promising an email that would never arrive.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import path


def _only_with_mail(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            return render(request, "registration/password_reset_unavailable.html")
        return view(request, *args, **kwargs)

    return wrapper


def password_reset_context(request) -> dict:
    """Context processor: whether the login page offers "Forgot password?"."""
    return {"password_reset_by_email": settings.PASSWORD_RESET_BY_EMAIL}


# The same addresses and names as django.contrib.auth.urls, which cloze/urls.py includes after these.
urlpatterns = [
    path("password_reset/", _only_with_mail(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "password_reset/done/",
        _only_with_mail(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        _only_with_mail(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        _only_with_mail(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
