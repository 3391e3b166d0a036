from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "liulin.volunteering"
    label = "volunteering"
    verbose_name = "志愿服务"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import service_hours
        from liulin.core.plugins import register_home_action, register_landing, register_nav, register_tile
        from liulin.core.roles import Role
        from liulin.core.tasks import register_periodic

        from . import permissions, selectors  # noqa: F401
        from .services import records, team_hours

        register_nav("volunteering", label=_("志愿服务"), url_name="volunteering:home", order=40)
        register_tile("volunteering", template="volunteering/tiles/staff.html", data=selectors.staff_tile,
                      perm="volunteering.report", order=40)
        register_tile("volunteering", template="volunteering/tiles/staff.html", data=selectors.staff_tile,
                      perm="volunteering.report", order=40, page="cockpit")
        register_home_action("volunteering", label=_("志愿与积分"), url_name="volunteering:home",
                             perm="volunteering.view", order=40)
        register_landing(Role.VOLUNTEER_LEADER, url_name="volunteering:lead", order=40)
        # Points past their validity expire, and the chain's latest hash is published, daily.
        register_periodic("volunteering.daily", every=24 * 3600, command="volunteering_daily")
        # A team's members checked in at an activity another app ran (a culture team's
        # performance in `activities`) have their hours recorded here (services/team_hours.py).
        service_hours.register_recorder(team_hours.record_team_service)
        # A party member's service confirmed in 党建引领惠邻 is credited to the hours register.
        service_hours.register_recorder(records.record_person_service, kind=service_hours.PersonService)
