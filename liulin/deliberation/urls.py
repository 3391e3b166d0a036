from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_meeting, name="new"),
    path("overdue/", views.overdue, name="overdue"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/rsvp/<int:invitation_pk>/", views.rsvp, name="rsvp"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("<int:pk>/sign-in-for/", views.sign_in_for, name="sign_in_for"),
    path("<int:pk>/polls/", views.open_poll, name="open_poll"),
    path("polls/<int:poll_pk>/vote/", views.vote, name="vote"),
    path("polls/<int:poll_pk>/close/", views.close_poll, name="close_poll"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("items/<int:item_pk>/<slug:action>/", views.item_act, name="item_act"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/minutes/<slug:action>/", views.minutes, name="minutes"),
    path("matters/", views.matter_list, name="matters"),
    path("matters/<int:pk>/", views.matter, name="matter"),
    path("matters/<int:pk>/act/<slug:action>/", views.matter_act, name="matter_act"),
    path("committees/", views.committee_terms, name="committees"),
    path("committees/new/", views.committee_register, name="committee_register"),
    path("committees/<int:pk>/", views.committee_term, name="committee_term"),
    path("committees/<int:pk>/file/", views.committee_file, name="committee_file"),
    path("committees/<int:pk>/meetings/", views.committee_meeting, name="committee_meeting"),
    path("committee-decisions/<int:pk>/publish/", views.committee_publish, name="committee_publish"),
    path("mediation/", views.cases, name="cases"),
    path("mediation/<int:pk>/", views.case, name="case"),
    path("mediation/<int:pk>/act/<slug:action>/", views.case_act, name="case_act"),
    path("mediation/<int:pk>/sessions/", views.case_session, name="case_session"),
    path("mediation/<int:pk>/parties/<int:party_pk>/sign/", views.case_signature, name="case_signature"),
    path("mediation/<int:pk>/follow-ups/", views.case_follow_up, name="case_follow_up"),
]
