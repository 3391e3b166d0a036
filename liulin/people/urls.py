from django.urls import path

from . import proxy_views, views

app_name = "people"
urlpatterns = [
    path("", views.resident_list, name="resident_list"),
    path("new/", views.resident_create, name="resident_create"),
    path("<int:pk>/", views.resident_detail, name="resident_detail"),
    path("<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("<int:pk>/check-id/", views.resident_check_id, name="resident_check_id"),
    path("import/", views.import_residents, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export.xlsx", views.export_residents, name="export"),
    path("proxies/", proxy_views.proxies, name="proxies"),
    path("proxies/acts/", proxy_views.proxy_acts, name="proxy_acts"),
    path("proxies/audit/", proxy_views.proxy_audit, name="proxy_audit"),
    path("proxies/<int:pk>/revoke/", proxy_views.proxy_revoke, name="proxy_revoke"),
    path("<int:pk>/proxies/", proxy_views.resident_proxies, name="resident_proxies"),
]
