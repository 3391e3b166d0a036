from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "liulin.activities"
    label = "activities"
    verbose_name = "文体活动与老年大学"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.plugins import register_nav
        from liulin.core.tasks import register_periodic

        from . import permissions  # noqa: F401
        from .services import sweep_offers

        register_nav("activities", label=_("活动"), url_name="activities:list", perm=None, order=35,
                     when=lambda user: getattr(user, "is_authenticated", False))
        register_periodic("activities.sweep_offers", every=300, func=sweep_offers)
