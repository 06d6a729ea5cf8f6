from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contacts import account_views
from contacts.forms import AdminLoginForm, LoginForm

# Both login pages check the username's length and characters before anyone looks it up.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include(account_views.urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("contacts.urls")),
    path("", include("sync.urls")),
]

handler404 = "contacts.error_views.page_not_found"
