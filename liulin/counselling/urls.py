from django.urls import path

from . import views

app_name = "counselling"

urlpatterns = [
    path("", views.home, name="home"),
    path("slots/new/", views.open_slot, name="open_slot"),
    path("slots/<int:pk>/book/", views.book, name="book"),
    path("slots/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("appointments/<int:pk>/", views.appointment, name="appointment"),
    path("appointments/<int:pk>/act/<str:action>/", views.act, name="act"),
    path("appointments/<int:pk>/notes/", views.note, name="note"),
]
