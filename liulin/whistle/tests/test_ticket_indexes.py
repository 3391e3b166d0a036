"""The ticket's indexes on columns most tickets leave empty hold only the tickets that have a
value (migration 0019), and the queries that look tickets up by those columns still read them."""

import pytest
from django.db import connection, transaction

from liulin.whistle.models import OPTIONAL_SCOPE_COLUMNS, SCOPE_COLUMNS, SPARSE_LINKS, State, Ticket

from .intake_fixtures import submitted

pytestmark = pytest.mark.django_db

SCOPE_LABELS = dict(SCOPE_COLUMNS)
# {index name: the column it holds only where set}
WHERE_SET = {f"ticket_{link}": link for link in SPARSE_LINKS} | {
    f"ticket_{SCOPE_LABELS[column]}_{kind}": column for column in OPTIONAL_SCOPE_COLUMNS for kind in ("worklist", "filed")
}
# Never empty on a ticket: their indexes keep every row.
WHOLE = [f"ticket_{SCOPE_LABELS[column]}_filed" for column, _ in SCOPE_COLUMNS if column not in OPTIONAL_SCOPE_COLUMNS]


def ticket_index_definitions():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'whistle_ticket'")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'whistle_ticket' "
                           "AND sql IS NOT NULL")  # a UNIQUE column's own index has no SQL
        return dict(cursor.fetchall())


def plan(queryset):
    """The query plan, with sequential scans priced out on PostgreSQL: a test's few rows would
    otherwise be read whole whatever indexes exist."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_indexes_on_columns_a_ticket_may_lack_hold_only_the_tickets_that_have_one():
    definitions = ticket_index_definitions()
    for name, column in WHERE_SET.items():
        assert f"{column}_id IS NOT NULL" in definitions[name].replace('"', ""), definitions[name]
    for name in WHOLE:
        assert "WHERE" not in definitions[name].upper(), definitions[name]
    # No plain foreign-key index on a sparse link is left beside its partial one.
    for link in SPARSE_LINKS:
        plain = [n for n, sql in definitions.items() if f"({link}_id)" in sql.replace('"', "") and "IS NOT NULL" not in sql]
        assert plain == [], plain


def test_lookups_by_a_sparse_link_find_their_tickets_through_its_index(town):
    mine = submitted(town, requester=town.resident, household=town.household)
    merged = submitted(town, requester_user=town.neighbour_user, parent=mine, state=State.MERGED)
    submitted(town, requester_user=None)  # a hotline caller with no account: in no link's index
    lookups = [
        # A resident's own requests (selectors.my_requests).
        ("ticket_requester_user", Ticket.objects.filter(requester_user=town.resident_user), [mine]),
        # The tickets merged into one, closed along with it (services.transitions).
        ("ticket_parent", Ticket.objects.filter(parent=mine, state=State.MERGED), [merged]),
        # What PROTECT asks before a resident record or a household is deleted.
        ("ticket_requester", Ticket.objects.filter(requester__in=[town.resident]), [mine]),
        ("ticket_household", Ticket.objects.filter(household__in=[town.household]), [mine]),
    ]
    for index, queryset, expected in lookups:
        assert list(queryset) == expected, index
        assert index in plan(queryset), (index, plan(queryset))
