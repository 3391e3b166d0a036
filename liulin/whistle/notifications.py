"""In-app notices about work orders, to the people who must know or act.

`notify_transition(ticket, event)` is called by the workflow service after each recorded
step. Who hears of what:

- the requester (``ticket.requester_user``) of every public step: dispatch, accept, start,
  resolve, verify, callback/close, reopen, reassign, return, suspension and the end states.
  The text names roles and units only ("物业公司已接单"), never a staff member;
- the handling unit's users (role assignments on ``ticket.handling_org``) of dispatch,
  reassign, reopen, urge, reject, escalate and approved suspensions;
- the grid's workers, while the ticket is at the grid tier, of the same steps;
- the community's supervisors (community staff and secretary whose area covers the
  ticket's community) of escalations and suspension requests.

The actor is never told of his own step. Mail: users have no e-mail address field, so
mail goes out only when ``settings.LIULIN_NOTIFY_EMAIL`` is true *and* the user object has
a non-empty ``email`` attribute (a later profile field, or a custom user model); it is sent
through Django's configured mail backend and a failure never blocks the in-app notice.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from liulin.core.calendar import local_zone
from liulin.core.roles import Role
from liulin.territory.models import path_prefixes

from .models import Notification, Tier

log = logging.getLogger(__name__)

# What the requester reads for each public step (the unit, never a person).
REQUESTER_MESSAGES = {
    "dispatch": "您的诉求 {number} 已派给{unit}办理。",
    "reassign": "您的诉求 {number} 已转派给{unit}办理。",
    "accept": "{unit}已接单：诉求 {number}。",
    "start": "{unit}已开始处理诉求 {number}。",
    "resolve": "{unit}已办结诉求 {number}，等待核单。",
    "verify": "诉求 {number} 已核单通过，请对办理结果进行评价。",
    "reject": "诉求 {number} 核单未通过，已退回重新办理。",
    "callback": "诉求 {number} 已回访结案，感谢您的评价。",
    "reopen": "诉求 {number} 已重新办理。",
    "return": "诉求 {number} 已退回社区重新派单。",
    "suspend": "诉求 {number} 暂时挂起，办理时限暂停。",
    "resume": "诉求 {number} 已恢复办理。",
    "forward": "诉求 {number} 不属本社区职责，已转交{forwarded_to}。",
    "merge": "诉求 {number} 与已有诉求重复，已合并办理。",
    "withdraw": "诉求 {number} 已撤单。",
    "close_unresolvable": "诉求 {number} 无法办理，已结案。原因：{reason}",
    # A merged duplicate follows the request it was merged into.
    "parent_resolve": "与您的诉求 {number} 合并办理的同类诉求已办结，等待核单。",
    "parent_verify": "与您的诉求 {number} 合并办理的同类诉求已核单通过。",
    "parent_callback": "与您的诉求 {number} 合并办理的同类诉求已回访结案。",
    "parent_close_unresolvable": "与您的诉求 {number} 合并办理的同类诉求无法办理，已结案。原因：{reason}",
}

# What the handling unit (and the grid's workers at the grid tier) read.
HANDLER_MESSAGES = {
    "dispatch": "新工单 {number}（{category}）派给本单位，请及时接单。",
    "reassign": "工单 {number}（{category}）转派给本单位，请及时接单。",
    "reopen": "工单 {number}（{category}）回访不满意，已重办，请重新处理。",
    "urge": "工单 {number} 被催办：{reason}",
    "reject": "工单 {number} 核单未通过：{reason}",
    "escalate": "工单 {number} 已升级至{tier}层级：{reason}",
    "suspend": "工单 {number} 挂起申请已批准。",
    "overdue": "工单 {number}（{category}）已{reason}，请尽快办理。",
    "remind": "工单 {number} 将于 {due} 到期（{deadline}），请抓紧办理。",
}
DEADLINE_LABELS = {"accept": "接单时限", "resolve": "办结时限"}

# The department that verifies the category (核单) hears when a result awaits it.
VERIFIER_MESSAGES = {
    "resolve": "工单 {number}（{category}）已办结，请核单。",
}

SUPERVISOR_MESSAGES = {
    "escalate": "工单 {number}（{category}）已升级至{tier}层级：{reason}",
    "request_suspension": "工单 {number} 申请挂起，待审批：{reason}",
    "overdue": "工单 {number}（{category}）{reason}。",
}

SUPERVISOR_ROLES = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)


def notify(user, message, ticket=None):
    """Record one in-app notice for `user` (and mail it where mail is configured)."""
    return send([(user.pk, ticket, message)], users={user.pk: user})[0]


def mark_read(*, user, now=None):
    """Mark all of the user's unread notices read; returns how many."""
    from liulin.core import clock

    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now or clock.now())


def _mail(user, message):
    address = getattr(user, "email", "")
    if not (getattr(settings, "LIULIN_NOTIFY_EMAIL", False) and address):
        return
    try:
        send_mail("六邻 · 雷锋哨", message, None, [address])
    except OSError:
        log.warning("notification mail to user %s failed", user.pk, exc_info=True)


def _unit(ticket):
    org = ticket.handling_org
    if org is None:
        return "社区"
    return org.get_kind_display()


def _local_due(value):
    """A deadline from event data (an ISO string) as the handler reads it: 03月02日 11:00."""
    return datetime.datetime.fromisoformat(value).astimezone(local_zone()).strftime("%m月%d日 %H:%M") if value else ""


def _format(template, ticket, event):
    data = event.data or {}
    return template.format(
        number=ticket.number,
        unit=_unit(ticket),
        category=ticket.category.name if ticket.category_id else "",
        reason=(event.reason or "")[:80],
        forwarded_to=ticket.forwarded_to or "相关单位",
        tier=Tier(ticket.tier).label if ticket.tier else "",
        due=_local_due(data.get("due")),
        deadline=DEADLINE_LABELS.get(data.get("deadline"), ""),
    )


class Recipients:
    """Who works on, checks and supervises a batch of tickets, read once for the batch: the
    unit and grid staff in one query, the supervisors of their communities in another, each
    only when a message needs them. A step notifies through a batch of one; the deadline
    sweep through a batch of hundreds, so its cost does not grow with the tickets."""

    def __init__(self, tickets):
        self.tickets = list(tickets)
        self._staff = None  # (org id -> user ids, grid id -> grid workers' user ids)
        self._supervisors = None  # [(area path, user id)]

    def _staff_by_unit_and_grid(self):
        if self._staff is not None:
            return self._staff
        from liulin.accounts.models import RoleAssignment

        orgs = {t.handling_org_id for t in self.tickets} | {t.verify_org_id for t in self.tickets}
        grids = {t.grid_id for t in self.tickets if t.tier == Tier.GRID}
        by_org, by_grid = defaultdict(set), defaultdict(set)
        wanted = Q(org_id__in=orgs - {None}) | Q(grid_id__in=grids, role=Role.GRID_WORKER)
        for user_id, org_id, grid_id in RoleAssignment.objects.filter(wanted, active=True).values_list("user_id", "org_id", "grid_id"):
            if org_id:
                by_org[org_id].add(user_id)
            if grid_id:
                by_grid[grid_id].add(user_id)
        self._staff = (by_org, by_grid)
        return self._staff

    def org_users(self, org_id):
        return self._staff_by_unit_and_grid()[0].get(org_id, set())

    def handlers(self, ticket):
        """The handling unit's users, and the grid's workers while the ticket is at the grid tier."""
        by_org, by_grid = self._staff_by_unit_and_grid()
        users = set(by_org.get(ticket.handling_org_id, ()))
        if ticket.tier == Tier.GRID:
            users |= by_grid.get(ticket.grid_id, set())
        return users

    def supervisors(self, ticket):
        """Community staff and secretaries whose area covers the ticket's community."""
        if self._supervisors is None:
            from liulin.accounts.models import RoleAssignment

            paths = {prefix for t in self.tickets for prefix in path_prefixes(t.community.path)}
            self._supervisors = list(
                RoleAssignment.objects.filter(role__in=SUPERVISOR_ROLES, active=True, area__path__in=paths).values_list(
                    "area__path", "user_id"
                )
            )
        path = ticket.community.path
        return {user_id for area_path, user_id in self._supervisors if path.startswith(area_path)}


def _messages(ticket, event, recipients):
    """{user id: message} for one step: the first (most specific) message a user qualifies for."""
    action = event.action
    messages = {}
    if action in SUPERVISOR_MESSAGES:
        text = _format(SUPERVISOR_MESSAGES[action], ticket, event)
        for user_id in recipients.supervisors(ticket):
            messages.setdefault(user_id, text)
    if action in HANDLER_MESSAGES:
        text = _format(HANDLER_MESSAGES[action], ticket, event)
        for user_id in recipients.handlers(ticket):
            messages.setdefault(user_id, text)
    if action in VERIFIER_MESSAGES and ticket.verify_org_id:
        text = _format(VERIFIER_MESSAGES[action], ticket, event)
        for user_id in recipients.org_users(ticket.verify_org_id):
            messages.setdefault(user_id, text)
    if ticket.requester_user_id and action in REQUESTER_MESSAGES:
        messages[ticket.requester_user_id] = _format(REQUESTER_MESSAGES[action], ticket, event)
    messages.pop(event.actor_id, None)  # never told of one's own step
    return messages


def send(notices, users=None):
    """Store [(user id, ticket, message)] in one insert, and mail them where mail is set up
    (`users`: the user objects by id, when the caller holds them)."""
    created = Notification.objects.bulk_create(
        [Notification(user_id=user_id, ticket=ticket, message=text[:200]) for user_id, ticket, text in notices]
    )
    if created and getattr(settings, "LIULIN_NOTIFY_EMAIL", False):
        from django.contrib.auth import get_user_model

        users = users or get_user_model().objects.in_bulk({user_id for user_id, _, _ in notices})
        for user_id, _, text in notices:
            _mail(users[user_id], text)
    return created


def notify_transitions(pairs):
    """Tell the requester, the handlers and the supervisors what each (ticket, event) step
    means to them. Returns the notifications created."""
    recipients = Recipients(ticket for ticket, _ in pairs)
    notices = []
    for ticket, event in pairs:
        notices += [(user_id, ticket, text) for user_id, text in sorted(_messages(ticket, event, recipients).items())]
    return send(notices)


def notify_transition(ticket, event):
    return notify_transitions([(ticket, event)])
