from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "liulin.housing"
    label = "housing"
    verbose_name = "青年人才公寓"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import publication, workorders
        from liulin.core.plugins import register_nav
        from liulin.core.tasks import register_periodic

        from . import permissions, services  # noqa: F401
        from .services import (
            arrears_alerts,
            defect_order_changed,
            issue_this_months_invoices,
            renewal_reminders,
            sweep_offers,
        )

        register_nav("housing", label=_("人才公寓"), url_name="housing:home", perm=None, order=39,
                     when=lambda user: getattr(user, "is_authenticated", False))
        workorders.register_listener("housing.defect", defect_order_changed)
        # The qualified list's 公示 runs in the 公示栏; an objection names the application it is about.
        publication.register_origin(publication.Origin(services.ORIGIN, kind=services.NOTICE_KIND, label=_("申请批次"),
                                                       items=services.qualified_items))

        register_periodic("housing.sweep_offers", every=300, func=sweep_offers)
        register_periodic("housing.issue_invoices", every=86400, func=issue_this_months_invoices)
        register_periodic("housing.arrears_alerts", every=86400, func=arrears_alerts)
        register_periodic("housing.renewal_reminders", every=86400, func=renewal_reminders)
