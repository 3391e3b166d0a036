from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/object/", views.object_to, name="object"),
    path("<int:pk>/posting/", views.record_posting, name="record_posting"),
    path("<int:pk>/receipts/", views.receipts, name="receipts"),
    path("objections/<int:pk>/answer/", views.answer, name="answer"),
    path("public/<int:pk>/", views.public, name="public"),
]
