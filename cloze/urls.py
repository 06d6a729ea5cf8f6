from django.contrib import admin
from django.urls import include, path

from contacts import account_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(account_views.urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("contacts.urls")),
]

handler404 = "contacts.error_views.page_not_found"
