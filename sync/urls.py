from django.urls import path

from sync import views

urlpatterns = [
    path("settings/suppressions/", views.suppressions, name="suppressions"),
    path("settings/suppressions/<int:pk>/lift/", views.lift_suppression, name="lift-suppression"),
    path("people/discovered/", views.discovered, name="discovered"),
    path("people/discovered/bulk/<str:kind>/dialog/", views.discovered_bulk_dialog, name="discovered-bulk-dialog"),
    path("people/discovered/bulk/<str:kind>/", views.discovered_bulk, name="discovered-bulk"),
    path("people/discovered/<int:pk>/add/", views.discovered_add, name="discovered-add"),
    path("people/discovered/<int:pk>/restore/", views.discovered_restore, name="discovered-restore"),
    path("people/discovered/<int:pk>/dismiss/", views.discovered_dismiss, name="discovered-dismiss"),
]
