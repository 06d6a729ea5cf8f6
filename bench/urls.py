"""The benchmark's ROOT_URLCONF: the project's URLs with its admin swapped for the plain one (bench/admin.py)."""

from django.urls import URLResolver, path

from bench.admin import site
from cloze.urls import urlpatterns as project

urlpatterns = [
    path("admin/", site.urls),
    *(p for p in project if not (isinstance(p, URLResolver) and p.app_name == "admin")),
]
