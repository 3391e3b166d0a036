from django.apps import AppConfig


class DaycareConfig(AppConfig):
    name = "liulin.daycare"
    label = "daycare"
    verbose_name = "日间照料"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import gettext_noop

        from liulin.core.plugins import register_nav, register_tile
        from liulin.core.tasks import register_periodic
        from liulin.people import proxies

        from . import permissions, selectors  # noqa: F401
        from .services import raise_absence_calls

        proxies.register_service("daycare", label=gettext_noop("日间照料（签到、查看记录）"), order=40)

        register_nav("daycare", label=_("日间照料"), url_name="daycare:home", perm=None, order=37,
                     when=lambda user: getattr(user, "is_authenticated", False))
        register_tile("daycare", template="daycare/tiles/cockpit.html", data=selectors.cockpit_tile,
                      perm="daycare.view", order=55, page="cockpit")
        # Every five minutes, so the calls are raised between 09:30 and 09:35, well before 10:00.
        register_periodic("daycare.absence_calls", every=300, func=raise_absence_calls)
