from django.apps import AppConfig


class WhistleConfig(AppConfig):
    name = "liulin.whistle"
    label = "whistle"
    verbose_name = "雷锋哨"

    def ready(self):
        from . import permissions  # noqa: F401
