from django.contrib import admin
from django.urls import include, path

from liulin.api import api

urlpatterns = [
    path("", include("liulin.core.urls")),
    path("accounts/", include("liulin.accounts.urls")),
    path("territory/", include("liulin.territory.urls")),
    path("people/", include("liulin.people.urls")),
    path("orgs/", include("liulin.orgs.urls")),
    path("whistle/", include("liulin.whistle.urls")),
    path("partybuilding/", include("liulin.partybuilding.urls")),
    path("deliberation/", include("liulin.deliberation.urls")),
    path("notices/", include("liulin.notices.urls")),
    path("votes/", include("liulin.votes.urls")),
    path("volunteering/", include("liulin.volunteering.urls")),
    path("venues/", include("liulin.venues.urls")),
    path("activities/", include("liulin.activities.urls")),
    path("canteen/", include("liulin.canteen.urls")),
    path("daycare/", include("liulin.daycare.urls")),
    path("counselling/", include("liulin.counselling.urls")),
    path("housing/", include("liulin.housing.urls")),
    path("property/", include("liulin.property.urls")),
    path("home/", include("liulin.dashboard.urls")),
    path("notifications/", include("liulin.core.notifications.urls")),
    path("attachments/", include("liulin.core.attachments.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("liulin.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "liulin.core.views.forbidden"
handler404 = "liulin.core.views.not_found"
handler500 = "liulin.core.views.server_error"
