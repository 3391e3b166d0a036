from django.apps import AppConfig


class PartybuildingConfig(AppConfig):
    name = "liulin.partybuilding"
    label = "partybuilding"
    verbose_name = "党建引领惠邻"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.attachments.selectors import register_owner
        from liulin.core.notifications import kinds
        from liulin.core.plugins import register_home_action, register_landing, register_nav
        from liulin.core.roles import Role
        from liulin.core.tasks import register_periodic

        from . import models, permissions  # noqa: F401

        register_nav("partybuilding", label=_("党建惠邻"), url_name="partybuilding:home", perm="partybuilding.view", order=35)
        # A partner unit's contact works here: needs to claim, projects, members to confirm.
        # A resident reaches his community's 微心愿 from his home page (partybuilding:my_wishes).
        register_home_action("partybuilding", label=_("党建微心愿"), url_name="partybuilding:my_wishes", order=70,
                             when=_lives_here)
        register_landing(Role.PARTNER_CONTACT, url_name="partybuilding:home", order=40)
        kinds.register("partybuilding.wish", _("微心愿"))
        kinds.register("partybuilding.registration", _("在职党员报到"))
        kinds.register("partybuilding.report", _("党员服务季度报告"))
        register_owner(models.LinkActivity, perm="partybuilding.view")
        register_owner(models.ServiceRecord, perm="partybuilding.view")
        register_owner(models.Wish, perm="partybuilding.view")
        register_periodic("partybuilding.raise_unclaimed_wishes", every=3600, func=_raise_unclaimed)
        # In the first days of a quarter, each unit's reports of the quarter just ended, once.
        register_periodic("partybuilding.send_quarterly_reports", every=3600, func=_send_quarterly_reports)


def _lives_here(user):
    resident = getattr(user, "resident", None)
    return resident is not None and resident.household_id is not None


def _raise_unclaimed():
    from .services.wishes import raise_unclaimed_wishes

    raise_unclaimed_wishes()


def _send_quarterly_reports():
    from .services.members import send_due_quarterly_reports

    send_due_quarterly_reports()
