from django.urls import path

from . import views

app_name = "venues"
urlpatterns = [
    path("", views.index, name="index"),
    path("resources/<int:resource_id>/", views.day, name="day"),
    path("resources/<int:resource_id>/book/", views.book, name="book"),
    path("resources/<int:resource_id>/series/", views.series_form, name="series"),
    path("resources/<int:resource_id>/wait/", views.wait, name="wait"),
    path("resources/<int:resource_id>/door/", views.door, name="door"),
    path("resources/<int:resource_id>/door/sign/", views.door_sign, name="door_sign"),
    path("bookings/<int:booking_id>/", views.booking_detail, name="booking"),
    path("bookings/<int:booking_id>/<slug:action>/", views.booking_act, name="booking_act"),
    path("approvals/", views.approvals, name="approvals"),
    path("today/", views.today, name="today"),
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("gym/", views.gym_page, name="gym"),
    path("gym/plans/<int:plan_id>/join/", views.gym_join, name="gym_join"),
    path("gym/memberships/<int:membership_id>/<slug:action>/", views.membership_act, name="membership_act"),
    path("gym/<int:resource_id>/<slug:direction>/", views.gym_door, name="gym_door"),
]
