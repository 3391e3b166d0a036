from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "liulin.venues"
    label = "venues"
    verbose_name = "场馆预约"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from liulin.core.notifications import kinds
        from liulin.core.plugins import register_home_action, register_landing, register_nav, register_tile
        from liulin.core.roles import Role
        from liulin.core.tasks import register_periodic

        from . import permissions  # noqa: F401
        from .services import bookings, gym, waitlist

        register_nav("venues", label=_("场馆"), url_name="venues:index", order=40)
        # A venue manager opens on today's bookings to check in and no-shows to release.
        register_landing(Role.VENUE_MANAGER, url_name="venues:today", order=40)
        from django.utils.translation import gettext_noop

        from liulin.people import proxies

        proxies.register_service("venues", label=gettext_noop("场地预约"), order=30)
        register_home_action("venues", label=_("场地预约"), url_name="venues:index", perm="venues.view", order=30)
        from . import selectors

        register_tile("venues", template="venues/tiles/cockpit.html", data=selectors.cockpit_tile,
                      perm="venues.manage", order=60, page="cockpit")
        # A booking not checked in 15 minutes after its start is released as a no-show.
        register_periodic("venues.release_no_shows", every=60, func=lambda: bookings.release_no_shows(actor=None))
        register_periodic("venues.release_expired_holds", every=60, func=lambda: waitlist.release_expired_holds())
        kinds.register(waitlist.KIND_OFFER, _("场地候补"))
        register_periodic("venues.expire_memberships", every=3600, func=lambda: gym.expire_memberships(actor=None))
