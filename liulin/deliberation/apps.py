from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "liulin.deliberation"
    label = "deliberation"
    verbose_name = "议事"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import publication, workorders
        from liulin.core.notifications import kinds
        from liulin.core.plugins import register_home_action, register_landing, register_nav, register_tile
        from liulin.core.roles import Role
        from liulin.core.tasks import register_periodic

        from . import committees, matters, mediation, permissions, selectors, services  # noqa: F401

        kinds.register(services.NOTICE_KIND, _("议事会议通知"))
        kinds.register(services.ITEM_KIND, _("议事落实事项"))
        kinds.register(mediation.REMINDER_KIND, _("人民调解提醒"))
        kinds.register(committees.NOTICE_KIND, _("业主委员会任期提醒"))
        # A decision's work order reports back here when it moves (core.workorders).
        workorders.register_listener(services.ORIGIN, services.order_changed)
        # A decision's 决议公开 runs in the 公示栏 (core.publication).
        publication.register_origin(publication.Origin(matters.ORIGIN, kind=matters.NOTICE_KIND, label=_("四议两公开事项")))
        # A committee decision's 公告 runs there too; only owners of the estate object.
        publication.register_origin(publication.Origin(
            committees.ORIGIN, kind=committees.PUBLICATION_KIND, label=_("业主委员会决定"), may_object=committees.may_object,
            objectors=_("只有本小区的业主可以对业主委员会的决定提出异议。")))
        # Staff and invited parties by their roles; a resident for his own estate's meetings.
        register_nav("deliberation", label=_("议事"), url_name="deliberation:home", order=40, when=selectors.may_open)
        # A committee member opens on the meetings and the action items overdue.
        register_landing(Role.COMMITTEE_MEMBER, url_name="deliberation:home", order=40)
        register_tile("deliberation", template="deliberation/tiles/cockpit.html", data=selectors.cockpit_tile,
                      perm="deliberation.view", order=30, page="cockpit")
        register_home_action("deliberation", label=_("小区议事"), url_name="deliberation:home", order=50,
                             when=selectors.may_open)
        register_periodic("deliberation.remind_reviews", every=3600, func=services.remind_reviews)
        register_periodic("deliberation.remind_confirmations", every=3600, func=mediation.remind_confirmations)
        register_periodic("deliberation.remind_terms", every=3600, func=committees.remind_terms)
