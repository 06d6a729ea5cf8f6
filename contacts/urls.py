from django.urls import path

from contacts import person_views, views

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
]
