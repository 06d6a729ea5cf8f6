from django.urls import path

from contacts import membership
from contacts.views import bulk, people, person

urlpatterns = [
    path("", people.home, name="home"),
    path("people/", people.people, name="people"),
    path("people/add/", person.add_person, name="person-add"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/edit/", person.edit_person, name="person-edit"),
    path("people/<int:pk>/stage/", person.change_person, {"field": "stage"}, name="change-stage"),
    path("people/<int:pk>/assignee/", person.change_person, {"field": "assignee"}, name="change-assignee"),
    path("bulk/", bulk.bulk_start, name="bulk-start"),
    path("bulk/<str:action>/", bulk.bulk, name="bulk"),
    path("bulk/<str:action>/dialog/", bulk.bulk_dialog, name="bulk-dialog"),
    path("undo/<int:operation_id>/", bulk.undo, name="undo"),
    path("workspace/switch/", membership.switch_workspace, name="switch-workspace"),
]
