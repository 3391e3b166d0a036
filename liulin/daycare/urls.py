from django.urls import path

from . import views

app_name = "daycare"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("centres/<int:pk>/today/", views.today, name="today"),
    path("centres/<int:pk>/report/", views.report, name="report"),
    path("elders/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("elders/<int:pk>/log/", views.log, name="log"),
    path("elders/<int:pk>/", views.family_day, name="family_day"),
    path("attendance/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("door/<str:code>/", views.door, name="door"),
]
