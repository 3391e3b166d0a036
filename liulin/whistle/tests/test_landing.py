"""Where each role lands at `/` (and so after login): its own work. Whoever works tickets
lands on the worklist, whose counts at the top equal the tickets behind them."""

import datetime

import pytest
from django.urls import reverse

from liulin.core import clock
from liulin.core.calendar import start_of_day
from liulin.core.roles import Role
from liulin.whistle.models import Ticket
from liulin.whistle.services import transitions
from liulin.whistle.tests.intake_fixtures import submitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who, page",
    [
        ("property_staff", "whistle:worklist"),
        ("officer", "whistle:worklist"),
        ("grid_worker", "whistle:worklist"),
        ("operator", "whistle:console"),
        ("staff", "dashboard:staff_home"),
        ("secretary", "dashboard:staff_home"),
        ("resident_user", "dashboard:resident_home"),
    ],
)
def test_each_role_lands_on_its_own_page(client, town, who, page):
    client.force_login(getattr(town, who))
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse(page)
    assert client.get(response.url).status_code == 200


def test_login_goes_to_the_landing(client, town, settings):
    assert settings.LOGIN_REDIRECT_URL == "core:home"


def _figures(html):
    part = html.split('data-testid="worklist-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    figures = {}
    for chunk in part.split('data-figure="')[1:]:
        key, rest = chunk.split('"', 1)
        figures[key] = int(rest.split('class="value">', 1)[1].split("<", 1)[0])
    return figures


def _dispatched(town, org, **kw):
    return transitions.act(actor=town.staff, ticket=submitted(town, **kw), action="dispatch", org=org)


def test_worklist_counts_equal_the_units_tickets(client, town):
    now = clock.now()
    mine = town.property_company
    to_accept = [_dispatched(town, mine) for _ in range(2)]
    in_hand = [transitions.act(actor=town.property_staff, ticket=_dispatched(town, mine), action="accept") for _ in range(3)]
    started = transitions.act(actor=town.property_staff, ticket=in_hand[0], action="start")
    # One overdue, one due later today (not overdue), one due in a week.
    Ticket.objects.filter(pk=to_accept[0].pk).update(resolve_due=now - datetime.timedelta(hours=1))
    end_of_today = start_of_day(clock.today() + datetime.timedelta(days=1))
    due_soon = min(now + datetime.timedelta(minutes=1), end_of_today - datetime.timedelta(seconds=1))
    Ticket.objects.filter(pk=started.pk).update(resolve_due=due_soon, resolve_overdue=False, accept_overdue=False)
    Ticket.objects.filter(pk__in=[in_hand[1].pk, in_hand[2].pk, to_accept[1].pk]).update(
        resolve_due=now + datetime.timedelta(days=7), resolve_overdue=False, accept_overdue=False
    )
    Ticket.objects.filter(pk=to_accept[0].pk).update(accept_overdue=False, resolve_overdue=False)
    # Another unit's ticket counts for nobody here.
    _dispatched(town, town.department)

    client.force_login(town.property_staff)
    html = client.get(client.get("/").url).content.decode()
    assert _figures(html) == {"to_accept": 2, "in_hand": 3, "overdue": 1, "due_today": 1}

    client.force_login(town.officer)
    assert _figures(client.get(reverse("whistle:worklist")).content.decode())["to_accept"] == 1


def test_a_grid_worker_counts_his_grid(client, town):
    _dispatched(town, town.property_company)
    _dispatched(town, town.property_company, building=town.b3)
    client.force_login(town.grid_worker)
    in_grid = Ticket.objects.filter(grid=town.grid1, state="dispatched").count()
    assert 0 < in_grid < Ticket.objects.filter(state="dispatched").count()
    assert _figures(client.get(reverse("whistle:worklist")).content.decode())["to_accept"] == in_grid


def test_a_resident_who_is_also_a_handler_lands_on_the_worklist(client, town):
    from liulin.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=town.resident_user, role=Role.PROPERTY_STAFF, org=town.property_company)
    client.force_login(town.resident_user)
    assert client.get("/").url == reverse("whistle:worklist")


def _tile(html):
    part = html.split('data-testid="whistle-work"', 1)[1].split("</section>", 1)[0]
    return {key: int(rest.split('class="value">', 1)[1].split("<", 1)[0]) for key, rest in
            (chunk.split('"', 1) for chunk in part.split('data-figure="')[1:])}


def test_dispatchers_and_supervisors_land_on_their_ticket_work(client, town):
    """Community staff and the secretary land on the staff home, which opens with what they
    dispatch and supervise: the queue (and its 待定位), the board's overdue and awaiting a
    decision, and what is due today, each linking to where it is worked."""
    now = clock.now()
    submitted(town)
    unlocated = submitted(town)
    Ticket.objects.filter(pk=unlocated.pk).update(needs_location=True)
    late, today, later = (_dispatched(town, town.property_company) for _ in range(3))
    Ticket.objects.filter(pk=late.pk).update(resolve_due=now - datetime.timedelta(hours=1))
    end_of_today = start_of_day(clock.today() + datetime.timedelta(days=1))
    due_soon = min(now + datetime.timedelta(minutes=5), end_of_today - datetime.timedelta(seconds=1))
    Ticket.objects.filter(pk=today.pk).update(resolve_due=due_soon)
    Ticket.objects.filter(pk=later.pk).update(resolve_due=now + datetime.timedelta(days=7))
    resolved = transitions.act(actor=town.property_staff, ticket=_dispatched(town, town.property_company), action="accept")
    resolved = transitions.act(actor=town.property_staff, ticket=resolved, action="resolve", reason="已修好")
    Ticket.objects.filter(pk=resolved.pk).update(resolve_due=now + datetime.timedelta(days=7))

    for who in ("staff", "secretary"):
        client.force_login(getattr(town, who))
        home = client.get("/")
        assert home.url == reverse("dashboard:staff_home")
        html = client.get(home.url).content.decode()
        assert _tile(html) == {"to_dispatch": 2, "unlocated": 1, "overdue": 1, "due_today": 1, "pending": 1}, who
        assert html.index('data-testid="whistle-work"') < html.index('id="people-h"')  # the work comes first
        for url in (reverse("whistle:queue"), reverse("whistle:board_column", args=["overdue"]),
                    reverse("whistle:board_column", args=["pending"])):
            assert f'href="{url}' in html
        overdue = client.get(reverse("whistle:board_column", args=["overdue"])).content.decode()
        assert f'data-testid="board-overdue-{late.number}"' in overdue


def test_whoever_neither_dispatches_nor_supervises_gets_no_ticket_work_tile(client, town):
    client.force_login(town.grid_worker)
    assert 'data-testid="whistle-work"' not in client.get(reverse("dashboard:staff_home")).content.decode()
