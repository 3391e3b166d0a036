from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "liulin.people"
    label = "people"
    verbose_name = "居民"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.plugins import register_nav

        from . import permissions

        # The registry is staff work: a resident sees his own household on his home page.
        register_nav("people", label=_("居民"), url_name="people:resident_list", perm="people.view", order=10,
                     when=permissions.has_staff_role)
