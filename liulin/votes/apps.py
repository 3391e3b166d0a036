from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "liulin.votes"
    label = "votes"
    verbose_name = "业主表决"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import publication
        from liulin.core.attachments.selectors import register_owner
        from liulin.core.plugins import register_home_action, register_nav, register_tile
        from liulin.core.tasks import register_periodic

        from . import announcement, notifications, permissions, result_notice  # noqa: F401
        from .models import Proxy
        from .services import sweep_deadlines

        register_nav("votes", label=_("业主表决"), url_name="votes:list", perm="votes.view", order=45)
        from django.utils.translation import gettext_noop

        from liulin.people import proxies

        # A general consent lets the holder register the written proxy of each vote herself.
        proxies.register_service("votes", label=gettext_noop("业主表决（登记书面委托、代为投票）"), order=50)
        register_home_action("votes", label=_("业主投票"), url_name="votes:list", perm="votes.view", order=60)
        from . import selectors

        register_tile("votes", template="votes/tiles/cockpit.html", data=selectors.cockpit_tile,
                      perm="votes.view", order=70, page="cockpit")
        # A proxy's document is seen by whoever may register proxies for its vote (staff).
        register_owner(Proxy, perm="votes.register_proxy")
        notifications.register_kinds()
        register_periodic("votes.deadlines", every=60, func=sweep_deadlines)
        # The announcement goes in the 公示栏 too: nobody objects to it; its receipts serve the vote;
        # whoever sees the vote reads it, as he reads the result.
        publication.register_origin(publication.Origin(
            announcement.ORIGIN, kind=announcement.NOTICE_KIND, label=_("业主表决公告"), may_object=announcement.no_objections,
            readers=result_notice.readers, objectors=_("表决公告不受理异议；对表决事项的意见请向业主委员会提出。")))
        # A result's 公示 runs in the 公示栏 (core.publication); only owners on the vote's roll object.
        publication.register_origin(publication.Origin(
            result_notice.ORIGIN, kind=result_notice.NOTICE_KIND, label=_("业主表决"), may_object=result_notice.may_object,
            readers=result_notice.readers, objectors=_("只有本次表决名册上的业主可以提出异议。")))
