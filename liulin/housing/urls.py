from django.urls import path

from . import views

app_name = "housing"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("rounds/<int:pk>/act/", views.round_act, name="round_act"),
    path("rounds/<int:pk>/offers/", views.round_offers, name="round_offers"),
    path("rounds/<int:pk>/review/", views.review, name="review"),
    path("rounds/<int:pk>/ranks/", views.ranks, name="ranks"),
    path("rounds/<int:round_id>/draw.txt", views.draw_file, name="draw_file"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/act/", views.application_act, name="application_act"),
    path("applications/<int:pk>/documents/<slug:key>/", views.document_upload, name="document_upload"),
    path("leases/", views.leases, name="leases"),
    path("leases/<int:pk>/", views.lease_detail, name="lease"),
    path("leases/<int:pk>/act/", views.lease_act, name="lease_act"),
    path("leases/<int:pk>/renewal/", views.renewal_request, name="renewal_request"),
    path("leases/<int:pk>/renew/", views.lease_renew, name="lease_renew"),
    path("renewals/<int:pk>/act/", views.renewal_act, name="renewal_act"),
    path("leases/<int:pk>/inspect/", views.lease_inspect, name="lease_inspect"),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice_pay"),
]
