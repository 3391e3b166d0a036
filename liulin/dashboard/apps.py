from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "liulin.dashboard"
    label = "dashboard"
    verbose_name = "首页与概览"

    def ready(self):
        from liulin.core.plugins import register_landing, register_tile
        from liulin.core.roles import Role

        from . import selectors

        # The community overview: aggregates over the registry, the territory and the
        # organisations, each counted over what the user may see. Another app adds its own
        # tiles the same way in its ready().
        register_tile("people", template="dashboard/tiles/people.html", data=selectors.people_tile, order=10)
        register_tile("orgs", template="dashboard/tiles/orgs.html", data=selectors.orgs_tile, order=20)
        register_tile("facilities", template="dashboard/tiles/facilities.html", data=selectors.facilities_tile, order=30)
        # The 数据驾驶舱 (dashboard:cockpit) opens with the people and their care groups; each
        # app adds its own figures there (register_tile(..., page="cockpit")).
        register_tile("people", template="dashboard/tiles/people.html", data=selectors.people_tile, order=10,
                      page="cockpit")
        # The community's own staff land on this overview; a resident on his own page.
        register_landing(Role.COMMUNITY_SECRETARY, url_name="dashboard:staff_home", order=10)
        register_landing(Role.COMMUNITY_STAFF, url_name="dashboard:staff_home", order=10)
        register_landing(Role.RESIDENT, url_name="dashboard:resident_home", order=1000)
        # An auditor reads figures: the 数据驾驶舱 of what he may see.
        register_landing(Role.AUDITOR, url_name="dashboard:cockpit", order=90)
