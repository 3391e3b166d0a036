"""Additive counters kept exact by the transaction that changes what they count.

A dashboard figure summed from source rows at every view costs a scan; an app keeps it as a
counter instead: rows of its own model, one per key (month, area, unit ...), with integer
columns that only ever get deltas added. The app declares a `Counter` (the model, the key
columns, the counted columns, how to recount from the source rows), adds deltas in its
service inside the transaction that writes the change (`add`, one statement for a whole
batch), and checks it with `differences` (the stored rows against a recount from scratch)
or rewrites it with `recompute`. Live deltas and the recount should come from the same
function of the source rows, so they can differ only when a write bypassed the service or a
row was edited.

The model needs a unique constraint over exactly the key columns, and a column that is
neither a key, an attribute nor a count needs a database default (new rows are inserted
with the keys, attributes and counts alone). A delta is one
`INSERT ... ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c` (PostgreSQL, SQLite 3.24+),
which holds under concurrent writers without a lock and rolls back with its transaction.

    VISITS = counters.register(counters.Counter(
        name="venues.visits", model=VisitCount, keys=("month", "venue_id"), counts=("visits", "no_shows"),
        recount=recount_visits,                 # (**scope) -> {(month, venue_id): {"visits": n, ...}}
        where=lambda months=None: ...,          # (**scope) -> Q over the counter rows of that scope
    ))
    VISITS.increment((month, venue.pk), visits=1)   # in the booking service's transaction
    VISITS.differences(months=[month])              # [] when the rows equal a recount
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

_registry = {}


def _everything(**scope):
    if scope:
        raise TypeError(f"this counter takes no scope, got {sorted(scope)}")
    return Q()


@dataclass(frozen=True)
class Counter:
    """An app's additive figures: rows of `model`, unique by `keys`, with `counts` columns.

    `recount(**scope)` returns {key tuple: {count: value}} from the source rows; `where(**scope)`
    the Q selecting the stored rows of the same scope (the default: no scope, every row).
    `attributes` are further columns written when a row is created and never added to (a
    denormalised path, say); `add` then needs their values per key, and `recompute` takes
    them from `attributes_of(keys)` -> {key: (values)}."""

    name: str
    model: type
    keys: tuple
    counts: tuple
    recount: Callable[..., dict]
    where: Callable[..., Q] = _everything
    attributes: tuple = field(default=())
    attributes_of: Callable[[list], dict] | None = None

    # --- adding deltas (inside the change's transaction) -------------------------------

    def increment(self, key, attributes=(), **deltas):
        """Add `deltas` ({count: n}, n may be negative) to the row of `key`."""
        self.add({tuple(key): deltas}, {tuple(key): tuple(attributes)} if self.attributes else None)

    def add(self, rows, attributes=None):
        """Add {key tuple: {count: delta}} to the table in one statement, creating missing rows
        (the batch API: a step passes one key, a sweep or an intake batch hundreds).
        `attributes`: {key: (values of self.attributes)} for rows that may be created.
        Call it inside the transaction that writes the change it counts."""
        rows = {key: deltas for key, deltas in rows.items() if any(deltas.values())}
        if not rows:
            return
        if not connection.in_atomic_block:
            raise RuntimeError(f"counter {self.name}: add deltas inside the transaction of the change they count")
        unknown = {name for deltas in rows.values() for name in deltas} - set(self.counts)
        if unknown:
            raise ValueError(f"counter {self.name} has no counts {sorted(unknown)}")
        changed = [name for name in self.counts if any(deltas.get(name) for deltas in rows.values())]
        columns = [*self.keys, *self.attributes, *self.counts]
        values = [
            [*key, *((attributes or {})[key] if self.attributes else ()), *(deltas.get(name, 0) for name in self.counts)]
            for key, deltas in rows.items()
        ]
        q = connection.ops.quote_name
        table = q(self.model._meta.db_table)
        rows_sql, params = self._rows_sql(columns, values)
        sql = (
            f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) {rows_sql}"
            f" ON CONFLICT ({', '.join(q(c) for c in self.keys)}) DO UPDATE SET "
            + ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in changed)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _rows_sql(self, columns, values):
        """The rows of the INSERT and their parameters. On PostgreSQL one array per column
        through UNNEST, as Django's bulk_create does: the statement keeps the same short text
        and one parameter per column however many rows it adds (a VALUES list of a sweep's
        45 rows had 1,440 parameters, which the driver parsed afresh at every call). A
        VALUES list elsewhere."""
        fields = [self.model._meta.get_field(column) for column in columns]
        values = [[f.get_db_prep_value(v, connection) for f, v in zip(fields, row, strict=True)] for row in values]
        if connection.vendor == "postgresql":
            types = [f.db_type(connection).split("(")[0] for f in fields]
            columns_of_values = [list(column) for column in zip(*values, strict=True)]
            return "SELECT * FROM UNNEST(" + ", ".join(f"%s::{t}[]" for t in types) + ")", columns_of_values
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        return "VALUES " + ", ".join([placeholders] * len(values)), [v for row in values for v in row]

    # --- checking against the source ---------------------------------------------------

    def stored(self, **scope):
        """{key: {count: value}} as the table holds it for `scope` (zero counts left out)."""
        out = {}
        for row in self.model.objects.filter(self.where(**scope)).values(*self.keys, *self.counts):
            counts = {name: row[name] for name in self.counts if row[name]}
            if counts:
                out[tuple(row[k] for k in self.keys)] = counts
        return out

    def recounted(self, **scope):
        """{key: {count: value}} recounted from the source rows (zero counts left out)."""
        out = {}
        for key, counts in self.recount(**scope).items():
            counts = {name: value for name, value in counts.items() if value}
            if counts:
                out[tuple(key)] = counts
        return out

    def differences(self, **scope):
        """[(key, count, stored, recounted)] wherever the table and a recount disagree."""
        expected, actual = self.recounted(**scope), self.stored(**scope)
        diffs = []
        for key in sorted(set(expected) | set(actual), key=lambda k: tuple(str(part) for part in k)):
            want, have = expected.get(key, {}), actual.get(key, {})
            for name in self.counts:
                if want.get(name, 0) != have.get(name, 0):
                    diffs.append((key, name, have.get(name, 0), want.get(name, 0)))
        return diffs

    def recompute(self, **scope):
        """Replace the rows of `scope` by a recount; returns the number of rows written. Run it
        where the source does not change meanwhile (a check command's --fix)."""
        expected = self.recounted(**scope)
        attributes = self.attributes_of(list(expected)) if self.attributes else {}
        with transaction.atomic():
            self.model.objects.filter(self.where(**scope)).delete()
            self.model.objects.bulk_create(
                [
                    self.model(
                        **dict(zip(self.keys, key, strict=True)),
                        **dict(zip(self.attributes, attributes.get(key, ()), strict=True)),
                        **counts,
                    )
                    for key, counts in expected.items()
                ],
                batch_size=1000,
            )
        return len(expected)


def register(counter):
    """Declare `counter` (by its unique name) so checks can find every app's counters."""
    if _registry.get(counter.name, counter) is not counter:
        raise ValueError(f"a counter named {counter.name} is already registered")
    _registry[counter.name] = counter
    return counter


def registered():
    """Every declared counter, by name."""
    return dict(_registry)


def totals(pairs):
    """Sum [(key, {count: delta})] into {key: {count: total}} (deltas of many events)."""
    out = defaultdict(lambda: defaultdict(int))
    for key, deltas in pairs:
        row = out[key]
        for name, value in deltas.items():
            row[name] += value
    return out
