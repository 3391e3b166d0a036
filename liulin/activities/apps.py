from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "liulin.activities"
    label = "activities"
    verbose_name = "文体活动与老年大学"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import gettext_noop

        from liulin.core.plugins import register_home_action, register_nav, register_tile
        from liulin.core.tasks import register_periodic
        from liulin.people import proxies

        from . import permissions  # noqa: F401
        from .services import sweep_offers

        proxies.register_service("activities", label=gettext_noop("课程与活动报名"), order=25)

        register_nav("activities", label=_("活动"), url_name="activities:list", perm=None, order=35,
                     when=lambda user: getattr(user, "is_authenticated", False))
        register_home_action("activities", label=_("课程与活动"), url_name="activities:list",
                             perm="activities.enrolment_view", order=20)
        from . import selectors

        register_tile("activities", template="activities/tiles/cockpit.html", data=selectors.cockpit_tile,
                      perm="activities.view", order=50, page="cockpit")
        register_periodic("activities.sweep_offers", every=300, func=sweep_offers)
