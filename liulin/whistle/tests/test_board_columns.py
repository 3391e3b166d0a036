"""The supervisor board's columns page by key from either end: every ticket once, a few
queries a page however deep."""

import datetime
import re

import pytest
from django.urls import reverse

from liulin.core import clock
from liulin.whistle import selectors
from liulin.whistle.models import Ticket
from liulin.whistle.tests.intake_fixtures import dispatched

pytestmark = pytest.mark.django_db


@pytest.fixture
def forty_overdue(town):
    """40 overdue tickets on 8 distinct deadlines (ties the keyset breaks by id), urged 0-3 times."""
    now = clock.now()
    tickets = [dispatched(town) for _ in range(40)]
    for i, ticket in enumerate(tickets):
        Ticket.objects.filter(pk=ticket.pk).update(
            resolve_due=now - datetime.timedelta(hours=1 + i % 8), urge_count=1 + i % 4
        )
    return tickets


@pytest.fixture
def forty_near(town):
    """40 tickets due inside their policy's reminder window, on 8 distinct deadlines."""
    now = clock.now()
    tickets = [dispatched(town) for _ in range(40)]
    for i, ticket in enumerate(tickets):
        lead = ticket.policy.remind_before_minutes
        Ticket.objects.filter(pk=ticket.pk).update(resolve_due=now + datetime.timedelta(minutes=lead * (2 + i % 8) / 12))
    return tickets


@pytest.fixture
def forty_pending(town):
    """40 resolved tickets awaiting verification, on 8 distinct deadlines."""
    now = clock.now()
    tickets = [dispatched(town) for _ in range(40)]
    for i, ticket in enumerate(tickets):
        Ticket.objects.filter(pk=ticket.pk).update(state="resolved", resolve_due=now + datetime.timedelta(hours=1 + i % 8))
    return tickets


COLUMN_FIXTURES = {"overdue": "forty_overdue", "urged": "forty_overdue", "near": "forty_near", "pending": "forty_pending"}


def _all_pages(user, column, newest, limit=15):
    seen, after, pages = [], None, 0
    while True:
        ids, more = selectors.board.column_ids(user, column, after=after, newest=newest, limit=limit)
        seen += ids
        pages += 1
        if not more:
            return seen, pages
        last = Ticket.objects.get(pk=ids[-1])
        after = tuple(getattr(last, field) for field, _desc in selectors.COLUMNS[column][0])


@pytest.mark.parametrize("column", list(selectors.COLUMNS))
@pytest.mark.parametrize("newest", [False, True])
def test_a_column_of_forty_pages_through_all_of_them_once_in_its_order(request, town, column, newest):
    tickets = request.getfixturevalue(COLUMN_FIXTURES[column])
    seen, pages = _all_pages(town.secretary, column, newest)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 40
    assert set(seen) == {t.pk for t in tickets}
    rows = Ticket.objects.in_bulk(seen)
    if column != "urged":
        expected = sorted(seen, key=lambda pk: (rows[pk].resolve_due, pk), reverse=newest)
    else:
        expected = sorted(seen, key=lambda pk: (-rows[pk].urge_count, rows[pk].resolve_due, pk), reverse=newest)
    assert seen == expected


def test_the_board_shows_the_oldest_breaches_and_the_newest_are_one_link_away(client, town, forty_overdue):
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:board")).content.decode()
    oldest = sorted(forty_overdue, key=lambda t: (Ticket.objects.get(pk=t.pk).resolve_due, t.pk))
    assert f'data-testid="board-overdue-{oldest[0].number}"' in html
    assert f'data-testid="board-overdue-{oldest[-1].number}"' not in html
    assert 'data-testid="board-overdue-more"' in html
    assert f'href="{reverse("whistle:board_column", args=["overdue"])}?order=newest"' in html

    newest = client.get(reverse("whistle:board_column", args=["overdue"]), {"order": "newest"}).content.decode()
    assert f'data-testid="board-overdue-{oldest[-1].number}"' in newest
    assert f'data-testid="board-overdue-{oldest[0].number}"' not in newest


def test_the_more_link_walks_the_whole_column_by_htmx(client, town, forty_overdue, django_assert_max_num_queries):
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:board_column", args=["overdue"])).content.decode()
    numbers = re.findall(r'data-testid="board-overdue-(T\d+)"', html)
    query_counts = []
    while (more := re.search(r'hx-get="([^"]+)"[^>]*data-testid="board-overdue-more"', html)) is not None:
        with django_assert_max_num_queries(15) as page:
            html = client.get(more.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
        query_counts.append(len(page.captured_queries))
        assert 'data-testid="board-overdue-ends"' not in html
        numbers += re.findall(r'data-testid="board-overdue-(T\d+)"', html)
    assert sorted(numbers) == sorted(t.number for t in forty_overdue)
    assert len(numbers) == 40
    assert len(query_counts) == 2 and query_counts[0] == query_counts[1]  # a deep page costs what the second does


def test_a_bad_cursor_starts_the_column_over_and_an_unknown_column_is_404(client, town, forty_overdue):
    client.force_login(town.secretary)
    assert client.get(reverse("whistle:board_column", args=["overdue"]), {"after": "nonsense"}).status_code == 200
    assert client.get(reverse("whistle:board_column", args=["everything"])).status_code == 404
    client.force_login(town.property_staff)
    assert client.get(reverse("whistle:board_column", args=["overdue"])).status_code == 403
