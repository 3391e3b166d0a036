from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "liulin.territory"
    label = "territory"
    verbose_name = "辖区"

    def ready(self):
        from . import permissions  # noqa: F401
