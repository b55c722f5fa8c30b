"""What a heartbeat costs the database (issue 17): the statements of a common heartbeat, and
that none loads a Wagtail page (the lesson's facts and the year's rules come from per-process
copies), and that a course withdrawn in this process is refused at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.db import hot_cursor
from player import services
from player.models import PlaybackSession
from player.protocol import ProtocolError

from .conftest import Player, lessons_of

pytestmark = pytest.mark.django_db

# On PostgreSQL one locked read and one write (with the commit, the goal's 3 statements); on
# SQLite, the embedded default, the writes go one row at a time.
COMMON_HEARTBEAT_STATEMENTS = {"postgresql": 2, "sqlite": 4}


def statements(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def beat(player, clock, played, **extra):
    clock.tick(10)
    player.seq += 1
    body = {"seq": player.seq, "position": played[1], "played": [played], "rate": 1.0}
    body = {"visible": True, **body, **extra}
    with CaptureQueriesContext(connection) as captured:
        status, answer = services.heartbeat_record(
            learner=player.user, session_id=player.session, data=body
        )
    assert status == 200, answer
    return answer, statements(captured)


def test_a_common_heartbeat_reads_no_page_and_few_rows(world, course, clock):
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    beat(player, clock, [0, 10])  # the first loads the per-process copies
    answer, sql = beat(player, clock, [10, 20])
    assert answer["credited"] == 10
    assert len(sql) <= COMMON_HEARTBEAT_STATEMENTS[connection.vendor], sql
    assert sum(s.startswith("SELECT") for s in sql) == 1, sql  # the one locked read
    assert not any("wagtailcore_page" in s or "courses_" in s for s in sql), sql
    assert not any("credits_credityear" in s for s in sql), sql
    # Refused (a hidden tab, twice: the second merges into the first's run with one UPDATE).
    beat(player, clock, [20, 30], visible=False)
    answer, sql = beat(player, clock, [30, 40], visible=False)
    assert answer["reasons"] == ["hidden"]
    assert len(sql) <= COMMON_HEARTBEAT_STATEMENTS[connection.vendor], sql
    assert sum(s.startswith("SELECT") and "player_refusedrun" in s for s in sql) == 0, sql


def test_a_course_withdrawn_in_this_process_is_refused_at_once(world, course, clock):
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    beat(player, clock, [0, 10])
    course.unpublish()
    clock.tick(10)
    status, answer = services.heartbeat_record(
        learner=player.user,
        session_id=player.session,
        data={"seq": 2, "position": 20, "played": [[10, 20]], "rate": 1.0, "visible": True},
    )
    assert status == 409 and answer["reason"] == "lesson_unavailable"


def test_the_heartbeats_statements_are_prepared_once_per_connection(world, course, clock):
    """On PostgreSQL the read and the write are prepared on the connection (parsed and planned
    once, not per heartbeat); Django's own statements stay unprepared. SQLite has nothing to
    prepare: the heartbeat there runs through the ordinary cursor."""
    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    for second in range(0, 80, 10):
        beat(player, clock, [second, second + 10])
    if connection.vendor != "postgresql":
        with hot_cursor() as cursor:
            assert type(cursor.cursor) is type(connection.create_cursor())
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("FOR UPDATE OF st, s" in sql for sql in prepared), prepared
    assert any(sql.startswith("WITH lp AS (UPDATE") for sql in prepared), prepared
    assert not any("courses_" in sql or "auth_user" in sql for sql in prepared), prepared


def test_an_http_heartbeat_reads_the_login_with_two_statements_on_top(world, course, clock):
    """Over HTTP the login comes on top, counted apart: the session's row and the user's, one
    statement each (prepared on PostgreSQL, once they have run a few times on the connection),
    and no write while activity is not due."""
    player = Player(world.learner)
    player.client.force_login(world.learner, backend="accounts.backends.IdentifierBackend")
    player.start(lessons_of(course)[0])
    for second in range(0, 60, 10):
        clock.tick(10)
        player.beat([[second, second + 10]])
    clock.tick(10)
    with CaptureQueriesContext(connection) as captured:
        status, answer = player.beat([[60, 70]])
    assert status == 200 and answer["credited"] == 10
    sql = statements(captured)
    login = [s for s in sql if "django_session" in s or "accounts_user" in s]
    assert len(login) == 2 and all(s.startswith("SELECT") for s in login), sql
    heartbeat = [s for s in sql if s not in login]
    assert len(heartbeat) <= COMMON_HEARTBEAT_STATEMENTS[connection.vendor], sql
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("django_session" in s for s in prepared), prepared
        assert any("accounts_user" in s for s in prepared), prepared


def test_an_ended_session_forgets_what_only_a_retransmission_needed(world, course, clock):
    """Storage (issue 17): the last answer and its digest answer a retransmission; an ended
    session refuses one with 409 first, so its end clears them, keeping what the records and the
    reviewers' timeline show."""
    player = Player(world.learner)
    lesson = lessons_of(course)[0]
    player.start(lesson)
    answer, _ = beat(player, clock, [0, 10])
    ended = PlaybackSession.objects.get(pk=player.session)
    assert ended.last_answer == answer and ended.last_digest
    player.start(lesson)  # again (another tab, another device): supersedes the first
    ended.refresh_from_db()
    assert ended.end_reason == "superseded" and ended.last_answer is None and not ended.last_digest
    assert ended.heartbeats == 1 and ended.credited == 10 and ended.last_seq == 1
    with pytest.raises(ProtocolError) as refused:  # the retransmission of its last heartbeat
        services.heartbeat_record(
            learner=world.learner,
            session_id=ended.pk,
            data={"seq": 1, "position": 10, "played": [[0, 10]], "rate": 1.0, "visible": True},
        )
    assert refused.value.status == 409


def test_rows_load_as_the_orm_loads_them(world, course):
    """config.db.from_row builds the hot path's instances without the model's __init__ (issue 17):
    the same field values as the ORM's, a saved row (an update, not an insert), and the full
    __init__ wherever a receiver listens to instances being made."""
    from django.db.models.signals import post_init
    from wagtail.images import get_image_model

    from config.db import _plain_init, from_row, hot_get

    player = Player(world.learner)
    player.start(lessons_of(course)[0])
    orm = PlaybackSession.objects.get(pk=player.session)
    key = PlaybackSession._meta.pk.get_db_prep_value(orm.pk, connection)  # hex on SQLite
    loaded = hot_get(PlaybackSession, "id", key)
    fields = PlaybackSession._meta.concrete_fields
    assert [getattr(loaded, f.attname) for f in fields] == [getattr(orm, f.attname) for f in fields]
    assert (loaded._state.adding, loaded._state.db) == (False, "default")
    assert loaded.lesson.pk == orm.lesson_id  # relations load as on any instance
    loaded.heartbeats = 7
    loaded.save(update_fields=["heartbeats"])  # an UPDATE of a saved row
    assert PlaybackSession.objects.get(pk=player.session).heartbeats == 7
    assert PlaybackSession.objects.count() == 1

    image_model = get_image_model()  # its file field listens to post_init
    assert post_init.has_listeners(image_model) and not _plain_init(image_model)
    assert _plain_init(PlaybackSession)
    made = []

    def note(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(note, sender=image_model)
    try:
        image = image_model(title="x", width=1, height=1, file="a.png")
        values = [getattr(image, f.attname) for f in image_model._meta.concrete_fields]
        made.clear()
        assert isinstance(from_row(image_model, values), image_model) and len(made) == 1
    finally:
        post_init.disconnect(note, sender=image_model)
