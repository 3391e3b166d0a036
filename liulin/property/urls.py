from django.urls import path

from . import views

app_name = "property"

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/<int:pk>/answer/", views.answer, name="answer"),
    path("surveys/<int:pk>/<str:action>/", views.act, name="act"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/<int:pk>/end/", views.end_supervisor, name="end_supervisor"),
    path("estates/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
]
