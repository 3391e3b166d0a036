from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "liulin.people"
    label = "people"
    verbose_name = "居民"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.plugins import register_home_action, register_nav

        from . import permissions

        # The registry is staff work: a resident sees his own household on his home page.
        register_nav("people", label=_("居民"), url_name="people:resident_list", perm="people.view", order=10,
                     when=permissions.has_staff_role)
        # Proxy consents (docs/proxies.md): a resident's own page, and the community's audit.
        register_home_action("proxies", label=_("家人代办"), url_name="people:proxies", order=90,
                             when=lambda user: bool(getattr(user, "resident_id", None)))
        register_nav("proxy_audit", label=_("代办记录"), url_name="people:proxy_audit", perm="people.proxy_audit", order=11,
                     when=permissions.has_staff_role)
