from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "liulin.demo"
    label = "demo"
    verbose_name = "演示社区"
