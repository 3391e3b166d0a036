from django.apps import AppConfig


class CanteenConfig(AppConfig):
    name = "liulin.canteen"
    label = "canteen"
    verbose_name = "中南小苑 社区食堂"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import gettext_noop

        from liulin.core.plugins import register_nav
        from liulin.people import proxies

        from . import permissions  # noqa: F401

        proxies.register_service("canteen", label=gettext_noop("食堂订餐"), order=10)

        register_nav("canteen", label=_("食堂"), url_name="canteen:home", perm=None, order=38,
                     when=lambda user: getattr(user, "is_authenticated", False))
