from django.apps import AppConfig


class CounsellingConfig(AppConfig):
    name = "liulin.counselling"
    label = "counselling"
    verbose_name = "心理咨询"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.plugins import register_landing, register_nav
        from liulin.core.roles import Role

        from . import permissions  # noqa: F401

        # Residents (to book) and counsellors; community staff, venue managers and auditors
        # hold no counselling permission and are not offered the entry.
        register_nav("counselling", label=_("心理咨询"), url_name="counselling:home", order=38,
                     when=lambda user: permissions.takes_part(user))
        register_landing(Role.COUNSELLOR, url_name="counselling:home", order=45)
