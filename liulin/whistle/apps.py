from django.apps import AppConfig


class WhistleConfig(AppConfig):
    name = "liulin.whistle"
    label = "whistle"
    verbose_name = "雷锋哨"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import redaction
        from liulin.core.attachments.selectors import register_owner
        from liulin.core.plugins import register_nav
        from liulin.core.tasks import register_periodic

        from . import notifications, permissions  # noqa: F401
        from .models import Ticket
        from .routing import TERMS_FILE

        notifications.register_kinds()
        register_owner(Ticket, perm="whistle.view")  # a ticket's photos: to whoever sees the ticket
        redaction.register_terms(TERMS_FILE)  # the words of requests are not taken for names
        register_nav("whistle", label=_("雷锋哨"), url_name="whistle:home", perm="whistle.view", order=30)
        # The safety net behind the per-ticket deadline tasks, and the intake queue's filer.
        register_periodic("whistle.sweep_deadlines", every=60, command="sweep_deadlines")
        register_periodic("whistle.drain_intake", every=1, command="drain_intake")
