"""Who hears of what about work orders; the kernel (`liulin.core.notifications`) does the
telling: the inbox, and the e-mail, SMS or webhook each user chose, after commit.

`notify_transition(ticket, event)` is called by the workflow service after each recorded
step. Who hears of what:

- the requester (``ticket.requester_user``) of every public step: dispatch, accept, start,
  resolve, verify, callback/close, reopen, reassign, return, suspension and the end states.
  The text names roles and units only ("物业公司已接单"), never a staff member;
- the handling unit's users (role assignments on ``ticket.handling_org``) of dispatch,
  reassign, reopen, urge, reject, escalate and approved suspensions; the unit itself too,
  at its webhook endpoint where it has one;
- the grid's workers, while the ticket is at the grid tier, of the same steps;
- the community's supervisors (community staff and secretary whose area covers the
  ticket's community) of escalations and suspension requests.

The actor is never told of his own step. The texts are marked for translation and stored
with their values, so each reader gets them in his language.
"""

import datetime
import string
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from liulin.core.calendar import local_zone
from liulin.core.notifications import kinds
from liulin.core.notifications.models import label
from liulin.core.notifications.services import Notice, send
from liulin.core.roles import Role
from liulin.territory.models import path_prefixes

from .models import Tier

KIND_TICKET = "whistle.ticket"
KIND_DEADLINE = "whistle.deadline"
KIND_SUMMONS = "whistle.summons"
DEADLINE_ACTIONS = {"overdue", "remind"}


def register_kinds():
    kinds.register(KIND_TICKET, _("诉求与工单进展"))
    kinds.register(KIND_DEADLINE, _("工单到期与超时提醒"))
    kinds.register(KIND_SUMMONS, _("吹哨报到"))


# What the requester reads for each public step (the unit, never a person).
REQUESTER_MESSAGES = {
    "dispatch": N_("您的诉求 {number} 已派给{unit}办理。"),
    "reassign": N_("您的诉求 {number} 已转派给{unit}办理。"),
    "accept": N_("{unit}已接单：诉求 {number}。"),
    "start": N_("{unit}已开始处理诉求 {number}。"),
    "resolve": N_("{unit}已办结诉求 {number}，等待核单。"),
    "verify": N_("诉求 {number} 已核单通过，请对办理结果进行评价。"),
    "reject": N_("诉求 {number} 核单未通过，已退回重新办理。"),
    "callback": N_("诉求 {number} 已回访结案，感谢您的评价。"),
    "reopen": N_("诉求 {number} 已重新办理。"),
    "return": N_("诉求 {number} 已退回社区重新派单。"),
    "suspend": N_("诉求 {number} 暂时挂起，办理时限暂停。"),
    "resume": N_("诉求 {number} 已恢复办理。"),
    "forward": N_("诉求 {number} 不属本社区职责，已转交{forwarded_to}。"),
    "merge": N_("诉求 {number} 与已有诉求重复，已合并办理。"),
    "withdraw": N_("诉求 {number} 已撤单。"),
    "close_unresolvable": N_("诉求 {number} 无法办理，已结案。原因：{reason}"),
    # A merged duplicate follows the request it was merged into.
    "parent_resolve": N_("与您的诉求 {number} 合并办理的同类诉求已办结，等待核单。"),
    "parent_verify": N_("与您的诉求 {number} 合并办理的同类诉求已核单通过。"),
    "parent_callback": N_("与您的诉求 {number} 合并办理的同类诉求已回访结案。"),
    "parent_close_unresolvable": N_("与您的诉求 {number} 合并办理的同类诉求无法办理，已结案。原因：{reason}"),
}

# What the handling unit (and the grid's workers at the grid tier) read.
HANDLER_MESSAGES = {
    "dispatch": N_("新工单 {number}（{category}）派给本单位，请及时接单。"),
    "reassign": N_("工单 {number}（{category}）转派给本单位，请及时接单。"),
    "reopen": N_("工单 {number}（{category}）回访不满意，已重办，请重新处理。"),
    "urge": N_("工单 {number} 被催办：{reason}"),
    "reject": N_("工单 {number} 核单未通过：{reason}"),
    "escalate": N_("工单 {number} 已升级至{tier}层级：{reason}"),
    "suspend": N_("工单 {number} 挂起申请已批准。"),
    "overdue": N_("工单 {number}（{category}）已{reason}，请尽快办理。"),
    "remind": N_("工单 {number} 将于 {due} 到期（{deadline}），请抓紧办理。"),
}
DEADLINE_LABELS = {"accept": N_("接单时限"), "resolve": N_("办结时限")}

# The department that verifies the category (核单) hears when a result awaits it.
VERIFIER_MESSAGES = {
    "resolve": N_("工单 {number}（{category}）已办结，请核单。"),
}

SUPERVISOR_MESSAGES = {
    "escalate": N_("工单 {number}（{category}）已升级至{tier}层级：{reason}"),
    "request_suspension": N_("工单 {number} 申请挂起，待审批：{reason}"),
    "overdue": N_("工单 {number}（{category}）{reason}。"),
}

SUPERVISOR_ROLES = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)


def _unit(ticket):
    """The handling unit's kind (物业公司, 社区...): a word of the interface, translated when read."""
    org = ticket.handling_org
    if org is None:
        return label(_("社区"))
    return label(org.Kind(org.kind).label)


def _reason(event):
    """The step's reason: what a person wrote (data), or - for the deadline sweep's own
    steps, which have no actor - one of its marked phrases, translated when read."""
    reason = (event.reason or "")[:80]
    return label(reason) if reason and event.actor_id is None else reason


def _local_due(value):
    """A deadline from event data (an ISO string) as the handler reads it, in a form every
    language reads: 03-02 11:00."""
    return datetime.datetime.fromisoformat(value).astimezone(local_zone()).strftime("%m-%d %H:%M") if value else ""


def _values(ticket, event):
    data = event.data or {}
    return {
        "number": lambda: ticket.number,
        "unit": lambda: _unit(ticket),
        "category": lambda: ticket.category.name if ticket.category_id else "",
        "reason": lambda: _reason(event),
        "forwarded_to": lambda: ticket.forwarded_to or label(_("相关单位")),
        "tier": lambda: label(Tier(ticket.tier).label) if ticket.tier else "",
        "due": lambda: _local_due(data.get("due")),
        "deadline": lambda: label(DEADLINE_LABELS[data["deadline"]]) if data.get("deadline") in DEADLINE_LABELS else "",
    }


def _format(template, ticket, event):
    """(text, its values): only the placeholders the text names are stored with it."""
    values = _values(ticket, event)
    names = {name for _literal, name, _spec, _conv in string.Formatter().parse(template) if name}
    params = {name: values[name]() for name in sorted(names)}
    return template, {name: value if isinstance(value, dict) else str(value) for name, value in params.items()}


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


def _kind(event):
    return KIND_DEADLINE if event.action in DEADLINE_ACTIONS else KIND_TICKET


def _unit_notice(ticket, event):
    """The handling unit itself hears of what its staff hear (at its webhook, where it has one)."""
    if event.action not in HANDLER_MESSAGES or not ticket.handling_org_id:
        return []
    text, params = _format(HANDLER_MESSAGES[event.action], ticket, event)
    return [Notice(kind=_kind(event), text=text, params=params, org_id=ticket.handling_org_id, target=ticket, url=_url(ticket))]


def _url(ticket):
    return reverse("whistle:ticket", args=[ticket.pk])


def notify_transitions(pairs):
    """Tell the requester, the handlers and the supervisors what each (ticket, event) step
    means to them. Returns the notifications created."""
    recipients = Recipients(ticket for ticket, _event in pairs)
    notices = []
    for ticket, event in pairs:
        url, kind = _url(ticket), _kind(event)
        notices += [
            Notice(kind=kind, text=text, params=params, user_id=user_id, target=ticket, url=url)
            for user_id, (text, params) in sorted(_messages(ticket, event, recipients).items())
        ]
        notices += _unit_notice(ticket, event)
    return send(notices)


def notify_transition(ticket, event):
    return notify_transitions([(ticket, event)])


def notify_summons(summons, whistle, user_ids):
    """Tell a summoned department's officers to report in by the whistle's deadline."""
    text = N_("吹哨：{title}（{kind}），请于 {due} 前报到。")
    params = {"title": whistle.title, "kind": label(whistle.Kind(whistle.kind).label),
              "due": f"{whistle.report_due:%m-%d %H:%M}"}
    url = reverse("whistle:summons")
    return send(
        [Notice(kind=KIND_SUMMONS, text=text, params=params, user_id=user_id, target=summons, url=url) for user_id in user_ids]
        + [Notice(kind=KIND_SUMMONS, text=text, params=params, org_id=summons.department_id, target=summons, url=url)]
    )
