from django.apps import AppConfig


class PropertyConfig(AppConfig):
    name = "liulin.property"
    label = "property"
    verbose_name = "物业监督"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core import workorders
        from liulin.core.plugins import register_nav, register_unit_figure

        from . import permissions, selectors  # noqa: F401
        from .services import ORIGIN, item_order_changed

        workorders.register_listener(ORIGIN, item_order_changed)
        register_nav("property", label=_("物业监督"), url_name="property:home", order=47,
                     when=lambda user: selectors.may_open(user) or bool(selectors.supervised_estates(user)))
        register_unit_figure("property", label=_("业主满意度（年度测评）"), figures=selectors.satisfaction_beside_units, order=10)
