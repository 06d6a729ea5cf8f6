from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contacts.forms import AdminLoginForm, LoginForm
from contacts.views import account

# Both login pages check the username's length and characters before anyone looks it up.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include(account.urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("contacts.urls")),
    path("", include("sync.urls")),
]

handler404 = "contacts.views.errors.page_not_found"
