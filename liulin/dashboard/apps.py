from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "liulin.dashboard"
    label = "dashboard"
    verbose_name = "首页与概览"
