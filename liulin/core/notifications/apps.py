from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Kernel: notify anyone about anything. Its own app (label `notifications`) because it
    has models, migrations, pages and a task; it imports no domain app, apps import it."""

    name = "liulin.core.notifications"
    label = "notifications"
    verbose_name = "消息通知"
