from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "liulin.activities"
    label = "activities"
    verbose_name = "文体活动与老年大学"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import gettext_noop

        from liulin.core import publication
        from liulin.core.plugins import register_home_action, register_landing, register_nav, register_tile
        from liulin.core.roles import Role
        from liulin.core.tasks import register_periodic
        from liulin.people import proxies

        from . import permissions, selection  # noqa: F401
        from .services import sweep_offers

        proxies.register_service("activities", label=gettext_noop("课程与活动报名"), order=25)
        # A 好家风 selection's ranking goes on 公示 in the 公示栏 (core.publication): residents of the
        # community object there to a family on it, and the community's staff answer.
        publication.register_origin(publication.Origin(
            selection.ORIGIN, kind=selection.NOTICE_KIND, label=_("好家风评比"), may_object=selection.may_object,
            objectors=_("只有本社区实名登记的居民可以对评选结果提出异议。"), items=selection.ranked_nominations))

        register_nav("activities", label=_("活动"), url_name="activities:list", perm=None, order=35,
                     when=lambda user: getattr(user, "is_authenticated", False))
        register_home_action("activities", label=_("课程与活动"), url_name="activities:list",
                             perm="activities.enrolment_view", order=20)
        # A teacher opens on the classes and activities, where his own are run.
        register_landing(Role.TEACHER, url_name="activities:list", order=40)
        from . import selectors

        register_tile("activities", template="activities/tiles/cockpit.html", data=selectors.cockpit_tile,
                      perm="activities.view", order=50, page="cockpit")
        register_periodic("activities.sweep_offers", every=300, func=sweep_offers)
