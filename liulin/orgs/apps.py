from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "liulin.orgs"
    label = "orgs"
    verbose_name = "组织"

    def ready(self):
        from . import permissions  # noqa: F401
