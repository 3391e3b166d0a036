from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "liulin.orgs"
    label = "orgs"
    verbose_name = "组织"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.plugins import register_nav

        from . import permissions  # noqa: F401

        register_nav("orgs", label=_("组织"), url_name="orgs:list", perm="orgs.view", order=20)
