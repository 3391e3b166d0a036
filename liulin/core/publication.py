"""公示 for any app: a matter an app must put on public notice (a 四议两公开 decision, an
owners' vote's result, the qualified applicants of a housing round, a selection's ranking) is
published through the kernel, and the notices app runs it as it runs every notice: the kind's
legal period counted as the Civil Code counts (arts. 201 and 203), objections filed inside it
and answered in time, versions, per-household receipts. The app keeps only the notice's id and
asks the kernel before its own final step, so no app keeps a window or objections of its own.

The notices app registers itself as the provider, once, in its AppConfig.ready:

    publication.register_provider(PublicationProvider(publish=..., status=..., finalise=...))

An app says what it publishes, once, in its AppConfig.ready:

    publication.register_origin(Origin("activities.selection", kind="selection", items=nominations))

publishes inside its own transaction, its text in the site's language, and keeps the reference:

    with publication.in_site_language():
        notice = publication.publish(actor=user, origin="activities.selection", subject_id=s.pk,
                                     community=s.community, title=..., body=..., url=...)

and, inside the transaction of its final step, finalises it, which refuses while the period
runs or an objection is unanswered:

    publication.finalise(actor=user, origin="activities.selection", notice_id=s.notice_id)

`households_reached(id)` names the households a notice has been served on (read, or an SMS or
e-mail delivered). `status(ids)` reads notices for a page; `Publication.upheld` names the items (a nomination, an
application) whose objections were answered as upheld, for the app to act on.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from .errors import Conflict


@dataclass(frozen=True)
class Publication:
    """What an app reads of its notice: where it is, its state, its period, and its objections."""

    id: int
    url: str
    state: str
    state_label: Any
    published_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    last_day: datetime.date | None
    objections: int = 0
    open_objections: int = 0
    upheld: frozenset = field(default_factory=frozenset)

    def running(self, now):
        """Whether objections may still be filed: published and the period not yet over."""
        return self.state == "published" and self.ends_at is not None and now < self.ends_at

    @property
    def finalised(self):
        return self.state == "finalised"


@dataclass(frozen=True)
class Origin:
    """What an app publishes. `kind` is the notice kind's code (its period and the time to answer
    an objection, configured in admin). `may_object(user, subject_id)` narrows who may object
    (the owners on a vote's roll), `objectors` says who in words; by default anyone who sees the
    notice may. `items(subject_id)` lists what an objection must name, as (ref, label) pairs
    (the nominations of a selection); without it an objection is about the whole notice.
    `readers(user)` gives the subject ids a user may read beyond the residents of the community
    who read every published notice (an owner on a vote's roll who lives elsewhere)."""

    code: str
    kind: str
    label: Any = ""
    may_object: Any = None
    objectors: Any = ""
    items: Any = None
    readers: Any = None


@dataclass(frozen=True)
class PublicationProvider:
    publish: Any  # publish(*, actor, origin, subject_id, community, title, body, url, days, is_demo, now) -> Publication
    status: Any  # status(ids) -> {id: Publication}
    finalise: Any  # finalise(*, actor, origin, notice_id, now) -> Publication
    reached: Any = None  # reached(notice_id) -> {household id}: read it, or got it by SMS or e-mail


_provider: list = []
_origins: dict[str, Origin] = {}


def register_provider(provider):
    _provider[:] = [provider]


def register_origin(origin):
    _origins[origin.code] = origin


def origin(code):
    """The registered Origin of `code`, or None (a notice written by hand in the 公示栏)."""
    return _origins.get(code) if code else None


def origins():
    return list(_origins.values())


def provider():
    if not _provider:
        raise Conflict(gettext("平台未启用公示功能。"), code="no_notices")
    return _provider[0]


def in_site_language():
    """A notice is a public document of the community: an app composes its title and body in
    the site's language (settings.LANGUAGE_CODE), whatever language the publisher reads the
    platform in:

        with publication.in_site_language():
            notice = publication.publish(..., title=_("决议公开：%(title)s") % ..., body=...)
    """
    return translation.override(settings.LANGUAGE_CODE)


def publish(*, actor, origin, subject_id, community, title, body, url="", days=None, is_demo=False, now=None):
    """Put `subject_id` of `origin` on public notice in `community` now; returns its Publication.
    `days` may lengthen the kind's period (a vote's own setting), never shorten it."""
    if origin not in _origins:
        raise LookupError(f"publication origin {origin!r} is not registered")
    return provider().publish(actor=actor, origin=origin, subject_id=subject_id, community=community, title=title,
                              body=body, url=url, days=days, is_demo=is_demo, now=now)


def status(ids):
    """{id: Publication} for the notices of `ids` that exist."""
    ids = [i for i in ids if i]
    return provider().status(ids) if ids and _provider else {}


def status_of(notice_id):
    return status([notice_id]).get(notice_id) if notice_id else None


def households_reached(notice_id):
    """The households a notice has reached in a way that proves service: a member read it, or
    an SMS or e-mail about it was delivered (the notices app's per-household receipts). A
    vote counts these owners as served."""
    if not notice_id or not _provider or _provider[0].reached is None:
        return set()
    return provider().reached(notice_id)


def finalise(*, actor, origin, notice_id, now=None):
    """Close the notice for the app's final step: refused (Conflict) while its period runs or an
    objection is unanswered; a notice already finalised is returned as it is."""
    if not notice_id:
        raise Conflict(gettext("该事项尚未公示。"), code="not_published")
    return provider().finalise(actor=actor, origin=origin, notice_id=notice_id, now=now)
