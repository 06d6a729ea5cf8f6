from django.urls import path

from jobs import views

urlpatterns = [
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<int:pk>/progress/", views.progress, name="job-progress"),
    path("jobs/<int:pk>/cancel/", views.cancel, name="job-cancel"),
    path("jobs/<int:pk>/undo/", views.undo, name="job-undo"),
]
