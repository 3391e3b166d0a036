from django.urls import path

from . import views

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
]
