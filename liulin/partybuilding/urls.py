from django.urls import path

from . import views

app_name = "partybuilding"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<int:community_id>/", views.public_lists, name="public"),
    path("c/<int:community_id>/wishes/", views.public_wishes, name="public_wishes"),
    path("c/<int:community_id>/wishes/<int:pk>/", views.public_wish, name="public_wish"),
    path("wishes/mine/", views.my_wishes, name="my_wishes"),
    path("wishes/new/", views.wish_new, name="wish_new"),
    path("w/<int:pk>/", views.wish_detail, name="wish"),
    path("w/<int:pk>/step/", views.wish_step, name="wish_step"),
    path("w/<int:pk>/claim/", views.wish_claim, name="wish_claim"),
    path("w/<int:pk>/deliver/", views.wish_deliver, name="wish_deliver"),
    path("w/<int:pk>/confirm/", views.wish_confirm, name="wish_confirm"),
    path("needs/new/", views.need_new, name="need_new"),
    path("n/<int:pk>/", views.need_detail, name="need"),
    path("n/<int:pk>/claim/", views.need_claim, name="need_claim"),
    path("n/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("p/<int:pk>/", views.project_detail, name="project"),
    path("p/<int:pk>/step/", views.project_step, name="project_step"),
    path("p/<int:pk>/join/", views.project_join, name="project_join"),
    path("register/", views.register, name="register"),
    path("members/", views.members, name="members"),
    path("m/<int:pk>/", views.member_detail, name="member"),
    path("m/<int:pk>/step/", views.member_step, name="member_step"),
    path("m/<int:pk>/evaluate/", views.member_evaluate, name="member_evaluate"),
    path("m/<int:pk>/<int:year>/<int:quarter>/", views.member_report, name="member_report"),
    path("services/new/", views.service_new, name="service_new"),
    path("s/<int:pk>/step/", views.service_step, name="service_step"),
    path("units/", views.units, name="units"),
    path("u/<int:pk>/", views.unit_detail, name="unit"),
    path("u/<int:pk>/resources/", views.resource_new, name="resource_new"),
    path("u/<int:pk>/<int:year>/", views.unit_report, name="unit_report"),
    path("u/<int:pk>/reports/", views.unit_send_reports, name="unit_send_reports"),
    path("figures/", views.figures, name="figures"),
]
