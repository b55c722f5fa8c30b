"""Sessions as Django's database store keeps them, read and updated with one prepared statement.

Every logged-in request and every HTTP heartbeat loads its session; the ORM's `.get()` builds and
compiles that query each time (issue 17 measured a fifth of an HTTP heartbeat's CPU in the session
and user reads). Saving an existing session (the login's activity, once a minute per login; a
thousand player sockets' fall in the same minute after a reconnect storm) was the ORM's save in
a transaction of its own: three statements and the query's compilation, for one UPDATE. The rows,
the expiry and what is stored are Django's own (`django.contrib.sessions.backends.db`); only the
read and the update's statement differ. Creating a session is Django's own code.
"""

import functools
from contextlib import nullcontext

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

from config.db import hot_cursor, hot_get


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = hot_get(
            self.model,
            "session_key",
            self.session_key,
            extra='"expire_date" > %s',
            params=[timezone.now()],
        )
        if session is None:
            self._session_key = None
        return session

    def save(self, must_create=False):
        """As Django's: an existing session's data and expiry written (UpdateError when its row
        is gone, a logout elsewhere in the meantime); a new one created by Django's code."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        row = self.create_model_instance(self._get_session(no_load=False))
        using = router.db_for_write(self.model, instance=row)
        connection = connections[using]
        sql, values = session_update_sql(row, connection)
        # Inside a transaction, a savepoint contains a failure as Django's atomic save does; a
        # request's save (autocommit) is one statement, atomic by itself.
        contained = transaction.atomic(using) if connection.in_atomic_block else nullcontext()
        try:
            with contained, hot_cursor(using) as cursor:
                cursor.execute(sql, values)
                changed = cursor.rowcount
        except DatabaseError as error:  # as Django's: the middleware answers it
            raise UpdateError from error
        if changed != 1:  # gone meanwhile (a logout elsewhere)
            raise UpdateError


def session_update_sql(row, connection) -> tuple[str, list]:
    """The UPDATE that writes the unsaved session `row`'s data and expiry over its stored row
    (one row, or none when it is gone), with its values prepared for `connection`."""
    sql, fields = _update_statement(type(row))
    return sql, [
        field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields
    ]


@functools.cache
def _update_statement(model) -> tuple[str, tuple]:
    meta = model._meta
    fields = (meta.get_field("session_data"), meta.get_field("expire_date"), meta.pk)
    sql = (
        f'UPDATE "{meta.db_table}" SET "{fields[0].column}" = %s, "{fields[1].column}" = %s'  # noqa: S608
        f' WHERE "{fields[2].column}" = %s'
    )
    return sql, fields
