from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "liulin.votes"
    label = "votes"
    verbose_name = "业主表决"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.attachments.selectors import register_owner
        from liulin.core.plugins import register_nav
        from liulin.core.tasks import register_periodic

        from . import notifications, permissions  # noqa: F401
        from .models import Proxy
        from .services import sweep_deadlines

        register_nav("votes", label=_("业主表决"), url_name="votes:list", perm="votes.view", order=45)
        # A proxy's document is seen by whoever may register proxies for its vote (staff).
        register_owner(Proxy, perm="votes.register_proxy")
        notifications.register_kinds()
        register_periodic("votes.deadlines", every=60, func=sweep_deadlines)
