"""The 雷锋哨 lists as xlsx: the rows the page shows the user, read through the same
selectors, phones masked as on the pages, every cell through `core.xlsx` (formula-safe).

An export is capped at EXPORT_LIMIT rows (a note row says so when cut), so one click cannot
tie up a worker; the filters narrow it further."""

from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core import audit, xlsx
from liulin.core.calendar import month_bounds
from liulin.core.masking import mask_phone

from . import kpi, selectors
from .services import whistles

EXPORT_LIMIT = 5000


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _ticket_header():
    return (_("工单号"), _("状态"), _("类别"), _("紧急程度"), _("来源"), _("网格"), _("地点"), _("内容"), _("联系人"),
            _("联系电话"), _("承办单位"), _("提交时间"), _("办结时限"), _("超时"))


def ticket_row(ticket):
    overdue = getattr(ticket, "overdue", ticket.accept_overdue or ticket.resolve_overdue)
    return (
        ticket.number,
        ticket.get_state_display(),
        str(ticket.category),
        ticket.get_urgency_display(),
        ticket.get_channel_display(),
        ticket.grid.name if ticket.grid_id else "",
        ticket.address,
        ticket.description,
        ticket.contact_name,
        mask_phone(ticket.contact_phone),
        ticket.handling_org.name if ticket.handling_org_id else "",
        _when(ticket.created_at),
        _when(ticket.resolve_due),
        _("是") if overdue else "",
    )


def _tickets_file(user, tickets, *, cut, title, action, **context):
    rows = [ticket_row(t) for t in tickets]
    if cut:
        rows.append((_("仅导出前 %(n)s 条，请缩小筛选范围。") % {"n": EXPORT_LIMIT},))
    out, count = xlsx.write_sheets([(title, _ticket_header(), rows)])
    # Many people's requests at once: recorded like a change, as the registry export is.
    audit.record(actor=user, action=action, target=user, rows=len(tickets), **context)
    return out


def write_queue(user, filters):
    """The dispatch queue as the user filtered it."""
    tickets = list(selectors.dispatch_queue(user, filters)[: EXPORT_LIMIT + 1])
    return _tickets_file(user, tickets[:EXPORT_LIMIT], cut=len(tickets) > EXPORT_LIMIT, title=_("待派单"), action="ticket.export_queue")


def write_worklist(user):
    """The user's whole worklist, in the page's order."""
    rows, more = selectors.worklist(user, limit=EXPORT_LIMIT)
    return _tickets_file(user, rows, cut=more is not None, title=_("工单"), action="ticket.export_worklist")


def _kpi_header(group_label):
    return (group_label, _("派单"), _("响应率"), _("解决率"), _("满意率"), _("综合得分"), _("按时办结率"),
            _("平均接单（小时）"), _("平均办结（小时）"), _("催办"))


def kpi_row(row):
    return (row.label, row.counts.get("dispatched", 0), row.response_pct, row.resolution_pct, row.satisfaction_pct,
            row.composite_score, row.on_time_pct, row.avg_accept_hours, row.avg_resolve_hours, row.counts.get("urges", 0))


def write_kpis(user, *, period_start, period_end, group_by):
    """The dashboard's table and total for the period, from the same scoped rollups."""
    rows = kpi.kpis(user, period_start=period_start, period_end=period_end, group_by=group_by)
    total = kpi.kpis(user, period_start=period_start, period_end=period_end)[0]
    label = str(kpi.GROUP_LABELS[group_by])
    body = [kpi_row(r) for r in rows] + [kpi_row(total)] if group_by else [kpi_row(total)]
    out, _count = xlsx.write_sheets([(_("三率"), _kpi_header(label), body)])
    audit.record(actor=user, action="kpi.export", target=user, rows=len(body), start=period_start.isoformat(), end=period_end.isoformat())
    return out


def _ranking_header(by_label):
    return (_("名次"), by_label, _("综合得分"), _("响应率"), _("解决率"), _("满意率"), _("派单"), _("榜单"))


def write_kpi_ranking(user, month, *, by):
    """The month's ranking (红黑榜) as the page shows it: the full ranking with each row's
    list, then the units without a rate (no rank). Units, grids, communities or categories
    only: the same scoped rollups as the page, no person in them."""
    result = kpi.ranking(user, month, by=by)
    red, black = {r.key for r in result.red}, {r.key for r in result.black}

    def board(row):
        return _("红榜") if row.key in red else _("黑榜") if row.key in black else ""

    body = [(r.rank, r.label, r.composite_score, r.response_pct, r.resolution_pct, r.satisfaction_pct, r.dispatched, board(r))
            for r in result.rows]
    body += [("", r.label, r.composite_score, r.response_pct, r.resolution_pct, r.satisfaction_pct, r.dispatched, _("不参与排名"))
             for r in result.unranked]
    out, _count = xlsx.write_sheets([(_("红黑榜"), _ranking_header(str(kpi.GROUP_LABELS[by])), body)])
    audit.record(actor=user, action="kpi.export_ranking", target=user, rows=len(body), month=result.month.isoformat(), by=by)
    return out


def _department_header():
    return (_("名次"), _("部门"), _("报到得分"), _("平均评价"), _("被召集"), _("按时报到"), _("迟到"), _("逾期未报到"))


def write_department_ranking(user, community, month):
    """The 吹哨报到 ranking of one community for a month, as the page shows it (departments,
    their scores and counts; no person)."""
    rows = whistles.department_ranking(community, month_bounds(month))
    body = [(position, r["department"].name, r["score"], r["avg_rating"], r["summons"], r["on_time"], r["late"], r["missed"])
            for position, r in enumerate(rows, start=1)]
    out, _count = xlsx.write_sheets([(_("部门报到排名"), _department_header(), body)])
    audit.record(actor=user, action="whistle.export_ranking", target=user, rows=len(body), community=community.pk,
                 month=month.isoformat())
    return out


def write_board_column(user, column, *, title, newest=False):
    """One column of the supervisor board, all of it (up to EXPORT_LIMIT), in the column
    page's order, through the same scoped keyset read; phones masked as in the queue's."""
    tickets, more = selectors.column_page(user, column, newest=newest, limit=EXPORT_LIMIT)
    sheet = str(title).replace("/", "、").replace(" ", "")  # a sheet's name may not hold "/"
    return _tickets_file(user, tickets, cut=bool(more), title=sheet, action="ticket.export_board", column=column)
