from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/read/", views.mark_one_read, name="mark_read"),
    path("count/", views.bell, name="bell"),
    path("settings/", views.preferences, name="preferences"),
]
