from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:org_id>/", views.organisation_detail, name="detail"),
    path("<int:org_id>/members/add/", views.member_add, name="member_add"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
