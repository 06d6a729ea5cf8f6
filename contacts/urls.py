from django.urls import path

from contacts import membership, person_views, suppression_views
from contacts.views import bulk as views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/stage/", person_views.change_person, {"field": "stage"}, name="change-stage"),
    path("people/<int:pk>/assignee/", person_views.change_person, {"field": "assignee"}, name="change-assignee"),
    path("bulk/", views.bulk_start, name="bulk-start"),
    path("bulk/<str:action>/", views.bulk, name="bulk"),
    path("bulk/<str:action>/dialog/", views.bulk_dialog, name="bulk-dialog"),
    path("undo/<int:operation_id>/", views.undo, name="undo"),
    path("workspace/switch/", membership.switch_workspace, name="switch-workspace"),
    path("settings/suppressions/", suppression_views.suppressions, name="suppressions"),
    path("settings/suppressions/<int:pk>/lift/", suppression_views.lift_suppression, name="lift-suppression"),
    path("people/discovered/", views.discovered, name="discovered"),
    path("people/discovered/<int:pk>/add/", views.discovered_add, name="discovered-add"),
    path("people/discovered/<int:pk>/restore/", views.discovered_restore, name="discovered-restore"),
    path("people/discovered/<int:pk>/dismiss/", views.discovered_dismiss, name="discovered-dismiss"),
]
