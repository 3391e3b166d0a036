from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "liulin.notices"
    label = "notices"
    verbose_name = "公示"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import publication
        from liulin.core.attachments.selectors import register_owner
        from liulin.core.notifications import kinds
        from liulin.core.plugins import register_nav

        from . import models, permissions, selectors, services, workflow  # noqa: F401

        kinds.register(services.NOTIFY_KIND, _("公示"))
        kinds.on_delivered(services.NOTIFY_KIND, services.delivered_by_channel)  # proof of service per household
        register_owner(models.Notice, perm=workflow.NOTICE.perm("view"))  # the posting photos: to staff who see the notice
        # other apps publish through core.publication; this app runs their notices
        publication.register_provider(publication.PublicationProvider(
            publish=services.publish_for, status=services.publication_status, finalise=services.finalise_for,
            reached=services.households_reached))
        register_nav("notices", label=_("公示"), url_name="notices:home", order=45, when=selectors.may_open)
