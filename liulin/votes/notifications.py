"""Telling owners of a vote, through the kernel (`liulin.core.notifications`): when voting
opens, every owner on the roll with an account is sent the ballot (the inbox, and the e-mail
or SMS he chose). A notice he read, or an SMS or e-mail delivered, is service of the ballot:
at the count it is recorded on his roll entries, which the rules' tally of non-voters needs."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from liulin.core.notifications import kinds
from liulin.core.notifications.models import Notification
from liulin.core.notifications.services import Notice, send

from . import announcement
from .models import RollEntry

KIND_BALLOT = "votes.ballot"
BALLOT_TEXT = N_("业主表决“{title}”已开始投票，截止 {closes}。请在截止前投票。")
SERVED_BY = "notification"


def register_kinds():
    kinds.register(KIND_BALLOT, _("业主表决"))


def send_ballots(vote):
    """One notice to each owner on the roll with an account (one insert, sent after commit)."""
    users = sorted(set(RollEntry.objects.filter(vote=vote, owner__user__isnull=False).values_list("owner__user_id", flat=True)))
    closes = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    url = reverse("votes:ballot", args=[vote.pk])
    return send([Notice(kind=KIND_BALLOT, text=BALLOT_TEXT, params={"title": vote.title, "closes": closes}, user_id=user,
                        target=vote, url=url) for user in users])


def record_served(vote, now):
    """Mark as served the roll entries of owners who read the ballot's notice or got it by SMS
    or e-mail, and of the units whose household the announcement in the 公示栏 reached the same
    ways; returns how many entries changed."""
    notices = Notification.objects.filter(kind=KIND_BALLOT, target_type=ContentType.objects.get_for_model(vote),
                                          target_id=str(vote.pk))
    reached = notices.filter(Q(read_at__isnull=False) | Q(deliveries__status="sent", deliveries__channel__in=("sms", "email")))
    by_ballot = RollEntry.objects.filter(vote=vote, served_at__isnull=True, owner__user_id__in=reached.values("user_id")).update(
        served_at=now, served_how=SERVED_BY)
    households = announcement.served_households(vote)
    by_announcement = RollEntry.objects.filter(vote=vote, served_at__isnull=True, unit__household_id__in=households).update(
        served_at=now, served_how=announcement.SERVED_BY) if households else 0
    return by_ballot + by_announcement
