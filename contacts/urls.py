from django.urls import path

from contacts import membership, suppression_views
from contacts.views import bulk, people, person

urlpatterns = [
    path("", people.home, name="home"),
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/stage/", person.change_person, {"field": "stage"}, name="change-stage"),
    path("people/<int:pk>/assignee/", person.change_person, {"field": "assignee"}, name="change-assignee"),
    path("bulk/", bulk.bulk_start, name="bulk-start"),
    path("bulk/<str:action>/", bulk.bulk, name="bulk"),
    path("bulk/<str:action>/dialog/", bulk.bulk_dialog, name="bulk-dialog"),
    path("undo/<int:operation_id>/", bulk.undo, name="undo"),
    path("workspace/switch/", membership.switch_workspace, name="switch-workspace"),
    path("settings/suppressions/", suppression_views.suppressions, name="suppressions"),
    path("settings/suppressions/<int:pk>/lift/", suppression_views.lift_suppression, name="lift-suppression"),
    path("people/discovered/", bulk.discovered, name="discovered"),
    path("people/discovered/<int:pk>/add/", bulk.discovered_add, name="discovered-add"),
    path("people/discovered/<int:pk>/restore/", bulk.discovered_restore, name="discovered-restore"),
    path("people/discovered/<int:pk>/dismiss/", bulk.discovered_dismiss, name="discovered-dismiss"),
]
