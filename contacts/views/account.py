"""Password reset by email, offered only where this server can send email, and logging out.

Django's own views do the work; settings.PASSWORD_RESET_BY_EMAIL (cloze/settings.py) says
whether mail is configured. Without it every reset page says to ask an admin instead of
promising an email that would never arrive.

Django logs out on POST only (a link must not log anyone out); a GET of the logout address, a
bookmark or a typed URL, gets a page with the Log out button instead of a blank 405.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import path


def _only_with_mail(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            return render(request, "registration/password_reset_unavailable.html")
        return view(request, *args, **kwargs)

    return wrapper


def logout(request):
    """POST: Django's LogoutView. GET: a page asking to confirm; logged out already: the login page."""
    if request.method == "POST":
        return auth_views.LogoutView.as_view()(request)
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "registration/logout_confirm.html")


def password_reset_context(request) -> dict:
    """Context processor: whether the login page offers "Forgot password?"."""
    return {"password_reset_by_email": settings.PASSWORD_RESET_BY_EMAIL}


# The same addresses and names as django.contrib.auth.urls, which cloze/urls.py includes after these.
urlpatterns = [
    path("logout/", logout, name="logout"),
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
