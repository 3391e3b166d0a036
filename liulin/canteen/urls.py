from django.urls import path

from . import views

app_name = "canteen"
urlpatterns = [
    path("", views.home, name="home"),
    path("orders/<int:order_id>/<slug:action>/", views.order_act, name="order_act"),
    path("<int:canteen_id>/counter/", views.counter, name="counter"),
    path("<int:canteen_id>/queue/", views.queue, name="queue"),
    path("<int:canteen_id>/manage/", views.manage, name="manage"),
    path("claims/<int:claim_id>/<slug:kind>/", views.claim_file, name="claim_file"),
]
