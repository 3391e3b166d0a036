"""Dispatcher queue, worklists, supervisor board and the ticket page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.whistle import selectors
from liulin.whistle.models import Category, Channel, State, Ticket, TicketEvent, Urgency
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import drive
from liulin.whistle.tests.intake_fixtures import dispatched, submitted

pytestmark = pytest.mark.django_db


# --- dispatcher queue -----------------------------------------------------------------


def test_queue_lists_submitted_tickets_for_dispatchers_and_refuses_handlers(client, town):
    ticket = submitted(town)
    other = dispatched(town)
    client.force_login(town.staff)
    html = client.get(reverse("whistle:queue")).content.decode()
    assert ticket.number in html and other.number not in html
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:queue")).status_code == 403
    client.force_login(town.resident_user)
    assert client.get(reverse("whistle:queue")).status_code == 403


def test_queue_filters_by_channel_grid_and_urgency(client, town):
    hotline = submitted(town, channel=Channel.HOTLINE)
    urgent = submitted(town, building=town.b3, urgency=Urgency.EMERGENCY)
    client.force_login(town.staff)
    by_channel = client.get(reverse("whistle:queue"), {"channel": "hotline"}).content.decode()
    assert hotline.number in by_channel and urgent.number not in by_channel
    by_grid = client.get(reverse("whistle:queue"), {"grid": town.grid2.pk}).content.decode()
    assert urgent.number in by_grid and hotline.number not in by_grid
    by_urgency = client.get(reverse("whistle:queue"), {"urgency": "emergency"}, HTTP_HX_REQUEST="true").content.decode()
    assert urgent.number in by_urgency and hotline.number not in by_urgency
    assert "<html" not in by_urgency  # htmx gets the rows only


def test_bulk_dispatch_sends_each_ticket_and_reports_failures(client, town):
    a, b = submitted(town), submitted(town)
    stale = submitted(town)
    client.force_login(town.staff)
    # Someone else dispatched `stale` between the page load and the submit.
    transitions.act(actor=town.secretary, ticket=stale, action="dispatch", org=town.property_company)
    response = client.post(
        reverse("whistle:queue"), {"tickets": [a.pk, b.pk], "org": town.property_company.pk}, follow=True
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == b.state == State.DISPATCHED and a.handling_org == town.property_company
    assert "已派给中南物业" in response.content.decode()
    # The stale one is no longer in the queue: picking it is a form error, nothing changes.
    bad = client.post(reverse("whistle:queue"), {"tickets": [stale.pk], "org": town.property_company.pk})
    assert bad.status_code == 400
    assert TicketEvent.objects.filter(ticket=stale, action="dispatch").count() == 1


def test_bulk_dispatch_without_unit_changes_nothing(client, town):
    a = submitted(town)
    client.force_login(town.staff)
    response = client.post(reverse("whistle:queue"), {"tickets": [a.pk]})
    assert response.status_code == 400
    a.refresh_from_db()
    assert a.state == State.SUBMITTED


def test_queue_query_count_is_fixed(client, town, django_assert_max_num_queries):
    client.force_login(town.staff)
    for _ in range(3):
        submitted(town)
    # Session, user and roles; a narrow query per segment (3) and way the unit reaches tickets
    # (4: handler, verifier, summoned, estate); the page's rows. None of it grows with the rows.
    with django_assert_max_num_queries(16) as small:
        client.get(reverse("whistle:queue"))
    for _ in range(15):
        submitted(town, building=town.b3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("whistle:queue"))


# --- worklists ------------------------------------------------------------------------


def test_worklist_puts_overdue_first_then_by_deadline(client, town):
    now = clock.now()
    later = dispatched(town)
    soon = dispatched(town)
    overdue = dispatched(town)
    Ticket.objects.filter(pk=later.pk).update(resolve_due=now + datetime.timedelta(days=5))
    Ticket.objects.filter(pk=soon.pk).update(resolve_due=now + datetime.timedelta(days=1))
    Ticket.objects.filter(pk=overdue.pk).update(resolve_due=now + datetime.timedelta(days=9), accept_overdue=True)
    client.force_login(town.property_staff)
    html = client.get(reverse("whistle:worklist")).content.decode()
    positions = [html.index(t.number) for t in (overdue, soon, later)]
    assert positions == sorted(positions)
    assert f'data-testid="do-accept-{soon.number}"' in html  # the handler may accept
    assert "do-verify" not in html


def test_worklist_is_one_form_whose_buttons_post_to_their_ticket(client, town):
    first, second = dispatched(town), dispatched(town)
    client.force_login(town.property_staff)
    html = client.get(reverse("whistle:worklist")).content.decode()
    page = html[html.index("<h1>"):]  # the header's own forms (language, log out) come before
    assert page.count("csrfmiddlewaretoken") == 1 and "One form" not in page
    button = f'formaction="{reverse("whistle:act", args=[second.pk])}" name="action" value="accept"'
    assert button in html
    # What the browser sends for that button: the form's token and the button's name and value.
    client.post(reverse("whistle:act", args=[second.pk]), {"action": "accept"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.DISPATCHED, State.ACCEPTED)


def test_worklist_keyset_pages_continue_without_repeats(client, town):
    now = clock.now()
    tickets = [dispatched(town) for _ in range(30)]
    for i, t in enumerate(tickets):
        Ticket.objects.filter(pk=t.pk).update(resolve_due=now + datetime.timedelta(hours=i + 1))
    Ticket.objects.filter(pk=tickets[-1].pk).update(resolve_overdue=True)
    client.force_login(town.property_staff)
    first = client.get(reverse("whistle:worklist")).content.decode()
    assert first.index(tickets[-1].number) < first.index(tickets[0].number)
    cursor = first.split('?after=')[1].split('"')[0]
    from urllib.parse import unquote

    second = client.get(reverse("whistle:worklist"), {"after": unquote(cursor)}, HTTP_HX_REQUEST="true").content.decode()
    seen_first = {t.number for t in tickets if t.number in first}
    seen_second = {t.number for t in tickets if t.number in second}
    assert len(seen_first) == 25 and seen_first.isdisjoint(seen_second)
    assert seen_first | seen_second == {t.number for t in tickets}


def test_a_unit_reaching_tickets_several_ways_pages_through_each_once_in_order(town):
    """A department handles some tickets and verifies others: its worklist reads each way
    through its own index and merges them, overdue first, then by deadline, without repeats."""
    from liulin.whistle.selectors import Cursor, worklist

    now = clock.now()
    handled = [dispatched(town) for _ in range(4)]
    Ticket.objects.filter(pk__in=[t.pk for t in handled]).update(handling_org=town.department)
    verified = [dispatched(town) for _ in range(4)]
    Ticket.objects.filter(pk__in=[t.pk for t in verified]).update(state=State.RESOLVED, verify_org=town.department)
    elsewhere = dispatched(town)  # the property company's alone
    for hours, ticket in enumerate(handled + verified, start=1):
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=now + datetime.timedelta(hours=10 - hours % 5, minutes=hours))
    Ticket.objects.filter(pk=verified[0].pk).update(resolve_overdue=True)
    seen, after = [], None
    while True:
        rows, next_cursor = worklist(town.officer, after=after, limit=3, now=now)
        seen += rows
        if next_cursor is None:
            break
        after = Cursor.decode(next_cursor.encode())
    assert [t.pk for t in seen][0] == verified[0].pk
    assert sorted(t.pk for t in seen) == sorted(t.pk for t in handled + verified)
    assert elsewhere.pk not in {t.pk for t in seen}
    on_time = [t for t in seen if not t.overdue]
    assert [(t.resolve_due, t.pk) for t in on_time] == sorted((t.resolve_due, t.pk) for t in on_time)


def test_worklist_query_count_is_fixed(client, town, django_assert_max_num_queries):
    client.force_login(town.property_staff)
    for _ in range(2):
        dispatched(town)
    # Session, user and roles; a narrow query per segment (3) and way the unit reaches tickets
    # (4: handler, verifier, summoned, estate); the page's rows. None of it grows with the rows.
    with django_assert_max_num_queries(16) as small:
        client.get(reverse("whistle:worklist"))
    for _ in range(20):
        dispatched(town)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("whistle:worklist"))


def test_grid_worker_worklist_is_his_grid_only(client, town):
    mine = dispatched(town)
    theirs = dispatched(town, building=town.b3)
    client.force_login(town.grid_worker)
    html = client.get(reverse("whistle:worklist")).content.decode()
    assert mine.number in html and theirs.number not in html


def test_accept_from_worklist_button(client, town):
    ticket = dispatched(town)
    client.force_login(town.property_staff)
    response = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "accept"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED


# --- supervisor board -----------------------------------------------------------------


def test_board_shows_overdue_and_urged_and_refuses_handlers(client, town):
    overdue = dispatched(town)
    Ticket.objects.filter(pk=overdue.pk).update(resolve_due=clock.now() - datetime.timedelta(hours=1))
    urged = dispatched(town)
    transitions.urge(actor=town.staff, ticket=urged, reason="居民多次来电")
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:board")).content.decode()
    assert f'data-testid="board-overdue-{overdue.number}"' in html
    assert f'data-testid="board-urged-{urged.number}"' in html
    # Each row links to its ticket and urges it by its own form.
    assert f'href="{reverse("whistle:ticket", args=[overdue.pk])}"' in html
    assert f'action="{reverse("whistle:urge", args=[urged.pk])}"' in html
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:board")).status_code == 403


def test_board_counts_say_when_a_list_is_cut_at_its_limit(client, town, monkeypatch):
    monkeypatch.setattr("liulin.whistle.selectors.board.BOARD_LIMIT", 2)
    for _ in range(3):
        ticket = dispatched(town)
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=clock.now() - datetime.timedelta(hours=1))
    transitions.urge(actor=town.staff, ticket=ticket, reason="居民多次来电")
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:board")).content.decode()
    assert '<span class="value" data-testid="count-overdue">2+</span>' in html  # 3 overdue, 2 shown
    assert '<span class="value" data-testid="count-urged">1</span>' in html


def test_board_query_count_is_fixed(client, town, django_assert_max_num_queries):
    """The rows read only the columns they show (selectors.ROW_FIELDS): a column the board
    shows but the row query left out would cost a query per row."""

    def overdue_and_urged():
        ticket = dispatched(town)
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=clock.now() - datetime.timedelta(hours=1))
        transitions.urge(actor=town.staff, ticket=ticket, reason="居民多次来电")

    overdue_and_urged()
    client.force_login(town.secretary)
    with django_assert_max_num_queries(20) as small:
        html = client.get(reverse("whistle:board")).content.decode()
    assert f"{town.property_company.name} · " in html  # the handling unit, without a query per row
    for _ in range(6):
        overdue_and_urged()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("whistle:board"))


def test_list_rows_name_categories_and_units_as_they_are_now(client, town):
    """The rows join category and unit, so one made or renamed elsewhere (here: written
    without signals, as another node or a bulk write would) shows at once, never a stale copy."""
    ticket = dispatched(town)
    Ticket.objects.filter(pk=ticket.pk).update(resolve_due=clock.now() - datetime.timedelta(hours=1))
    client.force_login(town.secretary)
    client.get(reverse("whistle:board"))
    category = Category.objects.get(pk=ticket.category_id)
    parent = category.parent or category
    [newer] = Category.objects.bulk_create([Category(parent=parent, code="newer-kind", name="新近类别")])
    [unit] = Organisation.objects.bulk_create([Organisation(name="新近物业", kind=Organisation.Kind.PROPERTY_COMPANY)])
    Ticket.objects.filter(pk=ticket.pk).update(category=newer, handling_org=unit)
    html = client.get(reverse("whistle:board")).content.decode()
    assert f"{parent.name}/新近类别" in html and "新近物业 · " in html
    Organisation.objects.filter(pk=unit.pk).update(name="改名物业")
    assert "改名物业 · " in client.get(reverse("whistle:board")).content.decode()


@pytest.mark.parametrize("page", ["whistle:board", "whistle:worklist", "whistle:queue"])
def test_each_list_links_a_ticket_number_to_its_page(client, town, page):
    ticket = submitted(town) if page == "whistle:queue" else dispatched(town)
    if page == "whistle:board":
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=clock.now() - datetime.timedelta(hours=1))
    client.force_login(town.property_staff if page == "whistle:worklist" else town.secretary)
    html = client.get(reverse(page)).content.decode()
    link = f'<a class="ticket-number" href="{reverse("whistle:ticket", args=[ticket.pk])}">{ticket.number}</a>'
    assert link in html


def test_urge_from_board_is_recorded(client, town):
    ticket = dispatched(town)
    client.force_login(town.staff)
    response = client.post(reverse("whistle:urge", args=[ticket.pk]), {"reason": "请尽快处理", "next": "board"})
    assert response.status_code == 302 and response["Location"] == reverse("whistle:board")
    ticket.refresh_from_db()
    assert ticket.urge_count == 1
    assert TicketEvent.objects.filter(ticket=ticket, action="urge", reason="请尽快处理").exists()


def _row(html, testid):
    """The markup of the list row whose `data-testid` is `testid`."""
    return html.split(f'data-testid="{testid}"', 1)[1].split("</li>", 1)[0]


def test_list_rows_show_each_field_of_the_ticket(client, town):
    """What a worklist row and a board row show: the number linked to the ticket, its state,
    the emergency, overdue and urged tags, the category, the place, the deadlines; the
    worklist adds the description and the actions, the board the unit and the urge form."""
    ticket = dispatched(town, urgency=Urgency.EMERGENCY, description="电梯停运" + "长" * 100)
    due = clock.now() - datetime.timedelta(hours=1)
    Ticket.objects.filter(pk=ticket.pk).update(resolve_due=due, suspension_requested=True)
    transitions.urge(actor=town.staff, ticket=ticket, reason="居民多次来电")
    ticket.refresh_from_db()
    link = f'<a class="ticket-number" href="{reverse("whistle:ticket", args=[ticket.pk])}">{ticket.number}</a>'
    shared = [link, "紧急", "超时", "催办 1 次", f'<span class="ticket-cat" translate="no">{ticket.category}</span>',
              f"{ticket.grid.name} · {ticket.building}", "时限 " + timezone.localtime(due).strftime("%m-%d %H:%M")]

    client.force_login(town.property_staff)
    row = _row(client.get(reverse("whistle:worklist")).content.decode(), f"row-{ticket.number}")
    for shown in [*shared, "办结时限", '<p class="ticket-desc" translate="no">电梯停运', f'formaction="{reverse("whistle:act", args=[ticket.pk])}"']:
        assert shown in row, shown
    assert "长" * 100 not in row  # the description is cut

    client.force_login(town.secretary)
    row = _row(client.get(reverse("whistle:board")).content.decode(), f"board-overdue-{ticket.number}")
    for shown in [*shared, f"{town.property_company.name} · ", "申请挂起", f'action="{reverse("whistle:urge", args=[ticket.pk])}"',
                  'name="csrfmiddlewaretoken"', f'id="urge-overdue-{ticket.pk}"']:
        assert shown in row, shown


def test_list_rows_escape_what_people_wrote(client, town):
    """The row templates escape what they show, like every other page."""
    ticket = dispatched(town, description="<script>alert(1)</script> 电梯停运")
    client.force_login(town.property_staff)
    html = client.get(reverse("whistle:worklist")).content.decode()
    assert ticket.number in html and "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 电梯停运" in html


def test_a_board_rows_urge_form_carries_a_valid_csrf_token(town):
    from django.test import Client

    ticket = dispatched(town)
    Ticket.objects.filter(pk=ticket.pk).update(resolve_due=clock.now() - datetime.timedelta(hours=1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:board")).content.decode()
    form = html.split(f'action="{reverse("whistle:urge", args=[ticket.pk])}"', 1)[1]
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(reverse("whistle:urge", args=[ticket.pk]), {"csrfmiddlewaretoken": token, "reason": "请尽快处理", "next": "board"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.urge_count == 1


def test_list_rows_speak_english_when_asked(client, town):
    ticket = dispatched(town)
    transitions.urge(actor=town.staff, ticket=ticket, reason="居民多次来电")
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Urged: 1" in html and "催办 1 次" not in html
    client.force_login(town.property_staff)
    html = client.get(reverse("whistle:worklist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Complete by" in html and "办结时限" not in html


# --- ticket page ----------------------------------------------------------------------


def test_ticket_page_masks_phone_and_shows_timeline(client, town):
    ticket = dispatched(town, contact_phone="13812345678", contact_name="张三")
    transitions.comment(actor=town.property_staff, ticket=ticket, body="已联系电梯维保", internal=True)
    client.force_login(town.staff)
    html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "已联系电梯维保" in html  # staff see internal notes
    assert "派单" in html


def test_grid_worker_of_another_grid_gets_404(client, town):
    ticket = dispatched(town, building=town.b3)  # grid 2
    client.force_login(town.grid_worker)  # grid 1
    assert client.get(reverse("whistle:ticket", args=[ticket.pk])).status_code == 404
    assert client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "accept"}).status_code == 404


def test_action_a_role_may_not_take_is_403_and_changes_nothing(client, town):
    ticket = dispatched(town)
    client.force_login(town.operator)  # sees the community, may not accept
    response = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "accept"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED


def test_resolve_without_reason_is_a_form_error(client, town):
    ticket = drive(dispatched(town), [(Role.PROPERTY_STAFF, "accept")])
    client.force_login(town.property_staff)
    response = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "resolve", "reason": ""})
    assert response.status_code == 400
    assert "需要填写说明" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED


def test_ticket_page_offers_only_allowed_actions(client, town):
    ticket = dispatched(town)
    client.force_login(town.property_staff)
    html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert 'data-testid="do-accept"' in html and 'data-testid="do-return"' in html
    assert 'data-testid="do-dispatch"' not in html and 'data-testid="do-verify"' not in html


def test_operator_callback_closes_and_can_reopen(client, town):
    ticket = drive(dispatched(town), [(Role.PROPERTY_STAFF, "accept"), (Role.PROPERTY_STAFF, "resolve"), (Role.COMMUNITY_SECRETARY, "verify")])
    client.force_login(town.operator)
    page = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert 'data-testid="callback-form"' in page
    response = client.post(
        reverse("whistle:callback", args=[ticket.pk]), {"solved": "0", "satisfaction": "unsatisfied", "comment": "还是坏的", "reopen": "on"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.reopen_count == 1 and ticket.state == State.DISPATCHED


def test_photo_view_streams_with_private_no_store_and_404_out_of_scope(client, town):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 100, 0)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "p.png"
    client.force_login(town.resident_user)
    client.post(
        reverse("whistle:file"),
        {"category": town.category("sanitation").pk, "description": "垃圾满了。", "where": "home", "client_request_id": "ph", "photos": [buffer]},
    )
    ticket = Ticket.objects.get()
    photo = selectors.photos(ticket).get()
    old_url = reverse("whistle:photo", args=[ticket.pk, photo.pk])
    url = reverse("attachments:file", args=[photo.pk])
    assert url in client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    moved = client.get(old_url)  # the address photos had before the kernel still leads there
    assert moved.status_code == 301 and moved["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert len(body) == photo.size
    client.force_login(town.grid2_worker)
    assert client.get(url).status_code == 404
    assert client.get(old_url).status_code == 404
    client.force_login(town.neighbour_user)
    assert client.get(url).status_code == 404
    assert client.get(old_url).status_code == 404


def test_merge_from_ticket_page(client, town):
    parent = submitted(town)
    child = submitted(town)
    client.force_login(town.staff)
    response = client.post(reverse("whistle:merge", args=[child.pk]), {"parent": parent.number, "reason": "同一部电梯"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.state == State.MERGED and child.parent == parent
    unknown = client.post(reverse("whistle:merge", args=[parent.pk]), {"parent": "NOPE"})
    assert unknown.status_code == 400
    parent.refresh_from_db()
    assert parent.state == State.SUBMITTED


def test_forward_needs_a_unit(client, town):
    ticket = submitted(town)
    client.force_login(town.staff)
    bad = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "forward", "reason": "不属物业"})
    assert bad.status_code == 400
    ok = client.post(reverse("whistle:act", args=[ticket.pk]), {"action": "forward", "reason": "不属物业", "forwarded_to": "区供电局"})
    assert ok.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.FORWARDED and ticket.forwarded_to == "区供电局"


def test_home_routes_each_role(client, town):
    expected = {
        town.operator: "whistle:console",
        town.property_staff: "whistle:worklist",
        town.grid_worker: "whistle:worklist",
        town.secretary: "whistle:board",
        town.resident_user: "whistle:mine",
    }
    for user, name in expected.items():
        client.force_login(user)
        response = client.get(reverse("whistle:home"))
        assert response.status_code == 302 and response["Location"] == reverse(name)
    both = make_user(Role.HOTLINE_OPERATOR, town.community)
    from liulin.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=both, role=Role.GRID_WORKER, grid=town.grid1)
    client.force_login(both)
    menu = client.get(reverse("whistle:home")).content.decode()
    assert reverse("whistle:console") in menu and reverse("whistle:patrol") in menu
