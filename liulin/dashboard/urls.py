from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("me/", views.resident_home, name="resident_home"),
    path("cockpit/", views.cockpit, name="cockpit"),
]
