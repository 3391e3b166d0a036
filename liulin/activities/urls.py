from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.activity_new, name="new"),
    path("family-links/new/", views.family_link_new, name="family_link"),
    path("teams/", views.teams, name="teams"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/enrol/", views.enrol, name="enrol"),
    path("<int:pk>/counter/", views.enrol_at_counter, name="counter"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/do/<str:action>/", views.activity_action, name="act"),
    path("enrolments/<int:pk>/<str:action>/", views.enrolment_action, name="enrolment_act"),
    path("attendances/<int:pk>/sign-out/", views.sign_out, name="sign_out"),
    path("enrolments/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("selections/", views.selection_list, name="selections"),
    path("selections/<int:pk>/", views.selection_detail, name="selection"),
    path("selections/<int:pk>/vote/", views.selection_vote, name="selection_vote"),
    path("selections/<int:pk>/nominate/", views.selection_nominate, name="selection_nominate"),
    path("selections/<int:pk>/do/<str:action>/", views.selection_action, name="selection_act"),
]
