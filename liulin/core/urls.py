from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("elder-mode/", views.toggle_elder_mode, name="elder_mode"),
    path("language/", views.choose_language, name="language"),
    path("healthz", views.healthz, name="healthz"),
]
