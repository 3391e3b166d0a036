"""Django's database cache with an increment that holds across processes.

Django's `DatabaseCache.incr` is a get followed by a set: two processes that count at the
same moment both read 5 and both write 6, so a rate limit counted there lets through more
than it should. Here the increment locks the entry's row first (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite's IMMEDIATE transactions hold the database's write lock from BEGIN) and
writes only the value, so the entry also keeps its expiry (the base class would reset it to
the default timeout, and an hour's window would forget its count after five minutes).
Values are stored as Django's database cache stores them: pickled, then base64.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        full_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT cache_key FROM {table} WHERE cache_key = %s{lock}", [full_key])
            value = self.get(key, self._missing_key, version=version)  # None when expired
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found.")
            value += delta
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [stored, full_key])
        return value
