from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from contacts.forms import AdminLoginForm, LoginForm
from contacts.views import account

# Both login pages check the username's length and characters before anyone looks it up.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    # The sync models moved from the contacts app to the sync app: bookmarks of their admin pages still work.
    re_path(
        r"^admin/contacts/(?P<model>suppression|discoveredperson|deletedaddress)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/sync/%(model)s/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include(account.urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("contacts.urls")),
    path("", include("sync.urls")),
    path("", include("jobs.urls")),
]

handler404 = "contacts.views.errors.page_not_found"
