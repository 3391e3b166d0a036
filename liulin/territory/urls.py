from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("map.json", views.map_data, name="map"),
]
