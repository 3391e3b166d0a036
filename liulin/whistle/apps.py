from django.apps import AppConfig


class WhistleConfig(AppConfig):
    name = "liulin.whistle"
    label = "whistle"
    verbose_name = "雷锋哨"

    def ready(self):
        from . import notifications, permissions  # noqa: F401

        notifications.register_kinds()
