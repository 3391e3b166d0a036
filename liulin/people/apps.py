from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "liulin.people"
    label = "people"
    verbose_name = "居民"

    def ready(self):
        from . import permissions  # noqa: F401
