from django.urls import path

from contacts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("bulk/", views.bulk_start, name="bulk-start"),
    path("bulk/<str:action>/", views.bulk, name="bulk"),
    path("undo/<int:operation_id>/", views.undo, name="undo"),
]
