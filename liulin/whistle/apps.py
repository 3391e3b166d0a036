from django.apps import AppConfig


class WhistleConfig(AppConfig):
    name = "liulin.whistle"
    label = "whistle"
    verbose_name = "雷锋哨"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import redaction
        from liulin.core.attachments.selectors import register_owner
        from liulin.core.plugins import register_home_action, register_landing, register_nav, register_tile
        from liulin.core.roles import Role
        from liulin.core.tasks import register_periodic

        from . import notifications, permissions, workorders  # noqa: F401
        from .models import Ticket
        from .routing import TERMS_FILE

        notifications.register_kinds()
        from django.utils.translation import gettext_noop

        from liulin.people import proxies

        proxies.register_service("whistle", label=gettext_noop("反映问题（雷锋哨）"), order=20)
        workorders.register()  # other apps file work orders through core.workorders
        register_owner(Ticket, perm="whistle.view")  # a ticket's photos: to whoever sees the ticket
        redaction.register_terms(TERMS_FILE)  # the words of requests are not taken for names
        register_nav("whistle", label=_("雷锋哨"), url_name="whistle:home", perm="whistle.view", order=30)
        from .selectors.board import supervises, supervision_summary
        from .selectors.cockpit import cockpit_tile

        register_tile("whistle", template="whistle/tiles/cockpit.html", data=cockpit_tile, perm="whistle.view",
                      order=20, page="cockpit")
        # Who dispatches or supervises lands on the staff home: it opens with his ticket work.
        register_tile("whistle", template="whistle/tiles/staff.html", data=supervision_summary, when=supervises, order=5)
        # A resident's home opens with the way to report a problem (one tap, not three).
        register_home_action("whistle", label=_("我要反映"), url_name="whistle:file", perm="whistle.file", order=10)
        register_home_action("whistle_mine", label=_("我的诉求"), url_name="whistle:mine", perm="whistle.file", order=11)
        # Who works tickets lands on them: the operator at the console, the handling units and
        # grid workers on their worklist, its counts at the top.
        register_landing(Role.HOTLINE_OPERATOR, url_name="whistle:console", order=20)
        for role in (Role.PROPERTY_STAFF, Role.DEPARTMENT_OFFICER, Role.GRID_WORKER):
            register_landing(role, url_name="whistle:worklist", order=30)
        # The safety net behind the per-ticket deadline tasks, and the intake queue's filer.
        register_periodic("whistle.sweep_deadlines", every=60, command="sweep_deadlines")
        register_periodic("whistle.drain_intake", every=1, command="drain_intake")
