from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.home, name="home"),
    path("my-code/", views.my_code, name="my_code"),
    path("teams/<int:team_id>/join/", views.join, name="join"),
    path("activities/<int:activity_id>/posts/<int:post_id>/sign-up/", views.sign_up, name="sign_up"),
    path("signups/<int:signup_id>/cancel/", views.cancel_sign_up, name="cancel_sign_up"),
    path("scan/<str:code>/", views.scan, name="scan"),
    path("records/<int:record_id>/act/", views.record_action, name="record_action"),
    path("lead/", views.lead, name="lead"),
    path("members/<int:member_id>/decide/", views.decide, name="decide"),
    path("teams/<int:team_id>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:activity_id>/", views.activity, name="activity"),
    path("activities/<int:activity_id>/qr/<str:direction>/", views.activity_qr, name="activity_qr"),
    path("activities/<int:activity_id>/sign-up-member/", views.sign_up_member, name="sign_up_member"),
    path("activities/<int:activity_id>/manual/", views.manual_record, name="manual_record"),
    path("activities/<int:activity_id>/finish/", views.finish, name="finish"),
    path("signups/<int:signup_id>/<str:direction>/", views.attendance, name="attendance"),
    path("activities/<int:activity_id>/children/", views.child_in, name="child_in"),
    path("children/<int:attendance_id>/out/", views.child_out, name="child_out"),
    path("consents/", views.consents, name="consents"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("counter/", views.counter, name="counter"),
    path("counter/redeem/", views.redeem, name="redeem"),
    path("counter/goods/", views.good_add, name="good_add"),
    path("counter/goods/<int:good_id>/restock/", views.restock, name="restock"),
    path("redemptions/<int:redemption_id>/reverse/", views.reverse_redemption, name="reverse"),
    path("report/", views.report, name="report"),
    path("volunteers/<int:volunteer_id>/certify/", views.certify, name="certify"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("certificates/<str:number>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:number>/<str:code>/", views.verify, name="verify"),
    path("ledger/<str:community_code>/", views.ledger_public, name="ledger_public"),
]
