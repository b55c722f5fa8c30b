"""Database-level guarantees that must hold on PostgreSQL and SQLite alike (DESIGN.md §5).

Table names in the SQL below come from migrations, never from input (hence the S608 waivers).
"""

import functools
from contextlib import contextmanager

import psycopg
from django.core.signals import setting_changed
from django.db import connections, migrations, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.dispatch import receiver

MAINTENANCE_TABLE = "append_only_maintenance"


def _append_only_sql(vendor: str, table: str) -> tuple[list[str], list[str]]:
    """Triggers that refuse UPDATE and DELETE on `table`.

    The one way around them is maintenance mode (`append_only_maintenance`): a row in that table
    on SQLite, the `anyang.maintenance` setting in the transaction on PostgreSQL. Only the test
    suite's flush between transactional tests uses it; anyone who can use it could also drop the
    triggers, so it weakens nothing. TRUNCATE fires no row triggers: the application never issues
    it, and its database role should not be granted it in production.
    """
    if vendor == "postgresql":
        function = f"{table}_append_only"
        forward = [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
                BEGIN
                  IF coalesce(current_setting('anyang.maintenance', true), '') = 'on' THEN
                    RETURN OLD;
                  END IF;
                  RAISE EXCEPTION '{table} is append-only: % refused', TG_OP;
                END;
                $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {function}()""",
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ]
    elif vendor == "sqlite":
        guard = f"WHEN NOT EXISTS (SELECT 1 FROM {MAINTENANCE_TABLE})"  # noqa: S608
        forward = [
            f"CREATE TABLE IF NOT EXISTS {MAINTENANCE_TABLE} (reason TEXT NOT NULL)",
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {guard}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {guard}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END""",
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    else:
        raise ValueError(f"append-only triggers exist for PostgreSQL and SQLite only, not {vendor}")
    return forward, backward


def AppendOnly(table: str) -> migrations.RunPython:  # noqa: N802 (reads like an operation)
    """A migration operation that makes `table` refuse UPDATE and DELETE in the database."""

    def forward(apps, schema_editor):
        for statement in _append_only_sql(schema_editor.connection.vendor, table)[0]:
            schema_editor.execute(statement, params=None)

    def backward(apps, schema_editor):
        for statement in _append_only_sql(schema_editor.connection.vendor, table)[1]:
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, backward)


@contextmanager
def maintenance_mode(using: str = "default", reason: str = "flush"):
    """Let the append-only triggers through inside one transaction, opened here (the test suite's
    flush only). The bypass is the transaction's: `set_config(..., true)` on PostgreSQL, a row
    inserted and deleted in it on SQLite, so it ends when the transaction does, committed or
    rolled back (or when the block ends, inside an outer one), and no other connection sees it."""
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {MAINTENANCE_TABLE} (reason TEXT NOT NULL)"
                )
                cursor.execute(
                    f"INSERT INTO {MAINTENANCE_TABLE} (reason) VALUES (%s)",  # noqa: S608
                    [reason],
                )
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('anyang.maintenance', 'on', true)")
        yield
        # Undone here too (on an error the rollback undoes both): opened inside an outer
        # transaction this is a savepoint, and a local setting would last until the outer one.
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DELETE FROM {MAINTENANCE_TABLE}")  # noqa: S608
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('anyang.maintenance', '', true)")


@contextmanager
def hot_cursor(using: str = "default"):
    """A cursor for a statement run thousands of times a second with the same text (the
    heartbeat's read and write, issue 17): on PostgreSQL it binds on the server and prepares the
    statement once per pooled connection, so neither psycopg nor PostgreSQL parses and plans it
    again; elsewhere the ordinary cursor. Still Django's wrapper, so the statements are counted
    and logged as any other (CaptureQueriesContext, DEBUG's connection.queries).

    Django's own cursors bind on the client and never prepare, whatever `prepare_threshold` the
    connection has (settings: 5 executions of the same text); that stays the default for
    everything else. A prepared plan belongs to its connection and is
    dropped with it; a migration that changes a prepared statement's result columns makes the
    next execution fail once ("cached plan must not change result type") — deploy with the
    workers restarted after migrating, as docs/deployment.md says."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    logged = connection.queries_logged
    cursor = _HotDebugCursor(raw, connection) if logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


class _HotDebugCursor(CursorDebugWrapper):
    """Logs the statement as written (Django would ask psycopg for the last query sent, which a
    prepared execution does not keep)."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return super(CursorDebugWrapper, self).execute(sql, params)


@functools.cache
def _row_loader(model, alias: str, vendor: str):
    """How to turn `model`'s raw columns (in `concrete_fields` order) into an instance on this
    backend: the attribute names and, per column that needs it, the converters the ORM applies
    (SQLite returns datetimes as text). Worked out once per process, not per row."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    conversions = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            conversions.append((index, column, tuple(converters)))
    return [field.attname for field in fields], tuple(conversions)


@functools.cache
def prep_connection(alias: str = "default"):
    """A wrapper of `alias` that is never opened, made once per process: for what needs only its
    backend's operations (preparing values, converters) on the event loop, where each
    `connections[alias]` of a new asyncio task makes a new wrapper (asgiref's Local: a tenth of
    an HTTP heartbeat's CPU on the loop, issue 17)."""
    return connections.create_connection(alias)


@receiver(setting_changed)
def _prep_settings_changed(*, setting, **_kwargs) -> None:
    if setting in ("DATABASES", "USE_TZ", "TIME_ZONE"):  # a test's override: made again
        prep_connection.cache_clear()


def from_row(model, values, using: str = "default"):
    """A model instance from raw column values in `concrete_fields` order, converted as the ORM
    converts them: for a hot path's hand-written SELECT (hot_cursor)."""
    connection = prep_connection(using)
    attnames, conversions = _row_loader(model, using, connection.vendor)
    values = list(values)
    for index, column, converters in conversions:
        value = values[index]
        for convert in converters:
            value = convert(value, column, connection)
        values[index] = value
    if not _plain_init(model):
        return model.from_db(using, attnames, values)
    # What Model.from_db does for a full row, without the model's __init__: at a thousand
    # heartbeats a second its argument handling and the pre_init/post_init signals' lookups
    # (a weak-keyed cache, per instance) were a twentieth of the process's CPU (issue 17).
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    instance._state = state = ModelState()
    state.adding, state.db = False, using
    return instance


@functools.cache
def _plain_init(model) -> bool:
    """Whether an instance of `model` is nothing more than its fields' values: neither the model
    nor its from_db is overridden and no pre_init or post_init receiver listens (they connect as
    the models are set up, before the first request; a model's image field, say, does)."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


@functools.cache
def _select_by_sql(model, column: str) -> str:
    meta = model._meta
    columns = ", ".join(f'"{field.column}"' for field in meta.concrete_fields)
    return f'SELECT {columns} FROM "{meta.db_table}" WHERE "{column}" = %s'  # noqa: S608


def hot_get(model, column: str, value, *, extra: str = "", params=(), using: str = "default"):
    """The one row of `model` whose `column` is `value` (and `extra`, a condition on its columns
    with `params`), or None: a prepared SELECT of every concrete column, for a lookup made on
    every request (the session, the user). The ORM's `.get()` builds and compiles its query each
    time; this is worked out once."""
    sql = _select_by_sql(model, column) + (f" AND {extra}" if extra else "")
    with hot_cursor(using) as cursor:
        cursor.execute(sql, [value, *params])
        row = cursor.fetchone()
    return None if row is None else from_row(model, row, using)
