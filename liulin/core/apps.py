from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liulin.core"
    label = "core"
    verbose_name = "核心"
