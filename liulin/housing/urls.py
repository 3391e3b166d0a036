from django.urls import path

from . import views

app_name = "housing"

urlpatterns = [
    path("rounds/<int:round_id>/draw.txt", views.draw_file, name="draw_file"),
]
