from django.urls import path

from . import register_views, views

app_name = "votes"
urlpatterns = [
    path("", views.vote_list, name="list"),
    path("new/", views.vote_create, name="create"),
    path("<int:vote_id>/", views.vote_detail, name="detail"),
    path("<int:vote_id>/act/<slug:action>/", views.vote_act, name="act"),
    path("<int:vote_id>/ballot/", views.ballot, name="ballot"),
    path("<int:vote_id>/counter/", views.counter_entry, name="counter"),
    path("<int:vote_id>/paper/", views.paper_entry, name="paper"),
    path("<int:vote_id>/participation/", views.participation, name="participation"),
    path("<int:vote_id>/receipt/", views.receipt_check, name="receipt"),
    path("<int:vote_id>/record.json", views.record_download, name="record"),
    path("<int:vote_id>/proxies/", views.proxies, name="proxies"),
    path("<int:vote_id>/service/", views.service_record, name="service"),
    path("proxies/<int:proxy_id>/revoke/", views.proxy_revoke, name="proxy_revoke"),
    path("proxies/family/", views.proxy_for_family, name="proxy_for_family"),
    path("registers/", register_views.register_list, name="registers"),
    path("registers/template.xlsx", register_views.register_template, name="register_template"),
    path("registers/<int:estate_id>/", register_views.register_import, name="register"),
    path("registers/<int:estate_id>/confirm/", register_views.register_confirm, name="register_confirm"),
]
