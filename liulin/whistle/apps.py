from django.apps import AppConfig


class WhistleConfig(AppConfig):
    name = "liulin.whistle"
    label = "whistle"
    verbose_name = "雷锋哨"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import redaction
        from liulin.core.plugins import register_nav

        from . import notifications, permissions  # noqa: F401
        from .routing import TERMS_FILE

        notifications.register_kinds()
        redaction.register_terms(TERMS_FILE)  # the words of requests are not taken for names
        register_nav("whistle", label=_("雷锋哨"), url_name="whistle:home", perm="whistle.view", order=30)
