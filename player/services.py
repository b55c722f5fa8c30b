"""The player protocol's decisions (DESIGN.md §4), shared by HTTP views and the websocket.

The server's clock decides what watching is worth; the browser only reports. Each heartbeat is
decided in one transaction under a lock on the learner's `LearnerPlayState` row (so concurrent or
repeated heartbeats, from any device, credit once), then under the lock on the course's progress
row (so a heartbeat and a quiz grade complete a course once).

Functions return `(status, payload)` or raise `ProtocolError`; views and the consumer only carry
them.
"""

import functools
import random
import secrets
import uuid
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from config.db import from_row, hot_cursor, prep_connection
from courses.api import course_study_refusal, lesson_facts, lesson_live
from credits.api import credit_year_rules, current_year
from media.api import master_playlist_url, video_playable

from . import clock
from .explain import explain
from .models import (
    CheckFailure,
    CourseProgress,
    EndReason,
    FraudSignal,
    LearnerPlayState,
    LessonProgress,
    PlaybackSession,
    Reason,
    RefusedRun,
)
from .progress import (
    completion_year_get_or_create,
    course_counts_in,
    course_progress_locked,
    coverage,
    coverage_reached,
    credit_summary,
    lesson_progress,
    progress_settle,
    year_refusal,
)
from .protocol import ChallengeAnswer, Heartbeat, ProtocolError, page_id_valid
from .realtime import session_ended_publish

RANGE_TOLERANCE = 1.0  # s a range may start past the frontier (players seek to keyframes)
CHECK_EXPIRES_IN = 60  # s
CHECK_WRONG_LIMIT = 3
CHECK_ANSWER_INTERVAL = 2.0  # s between answers (rate limit)
CHECK_CODE_CHARS = "234569"  # digits only (read aloud for the audio check); no 7: it reads as 1
CHECK_CODE_LENGTH = 4


# What a session keeps only to answer a retransmission of its last heartbeat; an ended session
# answers 409 before looking, so its end forgets them (about 280 of a row's 420 bytes, issue 17).
RETRANSMISSION_FORGOTTEN = {"last_answer": None, "last_digest": ""}


def _session_end_save(session: PlaybackSession) -> None:
    for name, value in RETRANSMISSION_FORGOTTEN.items():
        setattr(session, name, value)
    session.save(update_fields=["ended_at", "end_reason", *RETRANSMISSION_FORGOTTEN])


# --- Starting --------------------------------------------------------------------------------


def session_start(*, learner, lesson_id) -> tuple[int, dict]:
    """Start watching a lesson: 201 and the session, superseding the learner's other sessions."""
    if not page_id_valid(lesson_id):
        raise ProtocolError(400, "lesson 应为课时编号")
    lesson = lesson_live(lesson_id)
    if lesson is None:
        raise ProtocolError(404, "该课时不存在或已下架")
    course = lesson.course
    if not course.live:
        raise ProtocolError(404, "该课时不存在或已下架")
    not_allowed = course_study_refusal(learner, course)
    if not_allowed is not None:
        raise ProtocolError(403, not_allowed)
    video = lesson.video
    if not video_playable(video):
        raise ProtocolError(409, "该课时的视频暂不可播放")
    now = clock.now()
    year = completion_year_get_or_create(course, now)
    if not course_counts_in(course, year):
        raise ProtocolError(409, year_refusal(year))
    with transaction.atomic():
        state = _state_locked(learner)
        superseded = list(
            PlaybackSession.objects.filter(learner=learner, ended_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        PlaybackSession.objects.filter(pk__in=superseded).update(
            ended_at=now, end_reason=EndReason.SUPERSEDED, **RETRANSMISSION_FORGOTTEN
        )
        progress = course_progress_locked(learner=learner, course=course, now=now)
        progress.last_lesson = lesson
        progress.save(update_fields=["last_lesson"])
        item = lesson_progress(progress, lesson)
        session = PlaybackSession.objects.create(
            learner=learner,
            lesson=lesson,
            course=course,
            year=year,
            duration=video.duration,
            started_at=now,
            lesson_progress=item,
        )
        if state.check_pending:
            _check_issue(state, now)  # still pending, with a fresh code for the new page
            state.save()
        for old in superseded:
            session_ended_publish(old, EndReason.SUPERSEDED)
    return 201, {
        "session": str(session.pk),
        "duration": session.duration,
        "resume_at": min(item.position, item.frontier),
        "frontier": item.frontier,
        "heartbeat_interval": year.heartbeat_interval_seconds,
        "playlist": master_playlist_url(video),
        "ws": f"/ws/player/{session.pk}/",
        "challenge": _challenge_payload(state, now),
    }


# --- Heartbeats ------------------------------------------------------------------------------


class NeedsThread(Exception):
    """The socket's event-loop path met a heartbeat that needs more than its one read and one
    write (a query, a lock, a push: player.loop_db): the caller rolls back and decides it again
    on a database thread with heartbeat_record, which does all of them."""


def heartbeat_record(*, learner, session_id, data: dict, via: str = "http") -> tuple[int, dict]:
    """Decide one heartbeat: 200 and the answer of DESIGN.md §4 step 3, or a ProtocolError.
    `via` ("ws" or "http") is counted on the session: which way its heartbeats came.

    The common heartbeat reads three small rows (the learner's state and the session, locked;
    the lesson's progress with its course's) and no page: the lesson's liveness and duration
    come from courses.api.lesson_facts and the year's rules from credits.api.credit_year_rules,
    per-process copies at most a minute old (a course withdrawn in another process answers 409
    within that minute). The course's progress row is locked only when this heartbeat may
    complete something."""
    heartbeat = Heartbeat.parse(data)
    sql, params = heartbeat_rows_query(learner.pk, session_id)
    with transaction.atomic():
        with hot_cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        state, session, item = heartbeat_rows_objects(row)
        status, answer, write = heartbeat_decide(heartbeat, learner, state, session, item, via)
        if write is not None:
            _heartbeat_write(write)
    return status, answer


def heartbeat_decide(heartbeat, learner, state, session, item, via, *, fast=False):
    """What a heartbeat answers, given its rows as read under the learner's lock: (status,
    answer, the writes for _heartbeat_write or heartbeat_write_sql, or None). `fast` (the
    socket's event-loop path, player.loop_db) raises NeedsThread wherever more than the one
    read and one write is needed, before anything is changed outside the rows in hand."""
    facts = lesson_facts(session.lesson_id, query=not fast)
    if facts is None or not facts.live:  # withdrawn while watching
        if fast:
            raise NeedsThread("the lesson is gone")
        session.ended_at, session.end_reason = clock.now(), EndReason.LESSON_UNAVAILABLE
        _session_end_save(session)
        session_ended_publish(session.pk, session.end_reason)
        return 409, {"error": ended_text(session.end_reason), "reason": session.end_reason}, None
    if heartbeat.seq == session.last_seq and heartbeat.digest == session.last_digest:
        return 200, session.last_answer, None  # a retransmission: the same answer again
    now = clock.now()
    year = credit_year_rules(session.year_id, query=not fast)
    if item is None or year is None or item.course_progress.completed_at is not None:
        if fast:  # a session from before its lesson row, a year not in the copy, or a course
            raise NeedsThread("more than the common heartbeat")  # complete (its credit entry)
        year = year or session.year
        item = item or _lesson_item(learner, session, now)
    progress = item.course_progress
    if heartbeat.seq <= session.last_seq:  # old: earns nothing and changes nothing
        answer = _answer(heartbeat.seq, 0.0, item, facts, progress, [Reason.DUPLICATE], state, now)
        return 200, answer, None
    state_before = _state_snapshot(state)
    frontier_before = item.frontier
    credited, refused = _credit(heartbeat, session, year, state, item, now)
    watched = item.frontier - frontier_before  # credited, or watched again for a quiz
    item.position = min(heartbeat.position, session.duration)
    # Only a lesson watched far enough can change what is complete (most heartbeats of a
    # lesson under way skip the check, its lock and its queries). The course's row is
    # locked before the lesson's is written: the order a quiz grade takes them in.
    settle = progress.completed_at is None and (
        item.completed_at is not None
        or coverage_reached(
            item, facts.duration, _completion_year(facts, now, year, session, fast=fast)
        )
    )
    if settle:
        if fast:
            raise NeedsThread("may complete the lesson")
        progress = course_progress_locked(learner=learner, course=session.course_id, now=now)
        item.save(update_fields=ITEM_FIELDS)  # before settling, which reads it back
        progress_settle(progress, now=now)
        item.refresh_from_db(fields=["completed_at"])
    complete = progress.completed_at is not None
    previous = session.last_heartbeat_at
    session.last_seq = heartbeat.seq
    session.last_digest = heartbeat.digest
    session.last_heartbeat_at = now
    session.heartbeats += 1
    if via == "ws":
        session.heartbeats_ws += 1
    session.credited += credited
    if watched > 0:  # attention is checked on watching again too
        state.credited_since_check += watched
        if state.next_check_after <= 0:
            state.next_check_after = _check_interval(year)
        if not state.check_pending and state.credited_since_check >= state.next_check_after:
            _check_issue(state, now)
    elif state.check_pending and _check_expired(state, now):
        _check_issue(state, now)
    changed = [name for name, value in state_before.items() if getattr(state, name) != value]
    answer = _answer(
        heartbeat.seq, credited, item, facts, progress, list(refused), state, now, complete
    )
    session.last_answer = answer
    write = {
        "session": session,
        "item": None if settle else item,
        "state": state,
        "state_fields": changed,
        "refused": refused,
        "previous": previous,
        "now": now,
    }
    return 200, answer, write


ITEM_FIELDS = ["frontier", "credited", "position"]
SESSION_FIELDS = [
    "last_seq",
    "last_digest",
    "last_heartbeat_at",
    "heartbeats",
    "heartbeats_ws",
    "credited",
    "last_answer",
]


def _heartbeat_write(write: dict) -> None:
    """A heartbeat's writes (heartbeat_decide's): the lesson's progress (unless already written),
    the learner's state (only what changed), its refusals merged into the session's runs, the
    session. On PostgreSQL one statement (heartbeat_write_sql); elsewhere one per row."""
    if connection.vendor == "postgresql":
        with hot_cursor() as cursor:
            cursor.execute(*heartbeat_write_sql(**write))
        return
    _heartbeat_write_rows(**write)


def _heartbeat_write_rows(*, session, item, state, state_fields, refused, previous, now) -> None:
    if item is not None:
        item.save(update_fields=ITEM_FIELDS)
    if state_fields:
        state.save(update_fields=state_fields)
    _refusals_record(session, refused, previous, now)
    session.save(update_fields=SESSION_FIELDS)


def heartbeat_write_sql(
    *, session, item, state, state_fields, refused, previous, now
) -> tuple[str, list]:
    """_heartbeat_write's one statement on PostgreSQL: data-modifying CTEs, planned from the
    models' metadata, every value a parameter (the same text for the same shape of heartbeat, so
    a connection prepares it once)."""
    parts: list[tuple[str, list]] = []  # ("<name> AS (<statement>)", its values)
    for name, instance, fields, key in (
        ("lp", item, ITEM_FIELDS, "id"),
        ("st", state if state_fields else None, state_fields, "learner_id"),
    ):
        if instance is not None:
            update, values = _update_sql(instance, fields, key)
            parts.append((f"{name} AS ({update})", values))
    runs = RefusedRun._meta.db_table
    for number, (reason, seconds) in enumerate(refused.items()):
        insert = (
            f"INSERT INTO {runs} (session_id, reason, started_at, ended_at, heartbeats, seconds)"
            " SELECT %s, %s, %s, %s, 1, %s"
        )
        values = [session.pk, str(reason), previous or session.started_at, now, seconds]
        if previous is not None:  # extend the run the previous heartbeat ended, else start one
            parts.append(
                (
                    f"m{number} AS (UPDATE {runs} SET ended_at = %s,"  # noqa: S608
                    " heartbeats = heartbeats + 1, seconds = seconds + %s"
                    " WHERE session_id = %s AND reason = %s AND ended_at = %s RETURNING 1)",
                    [now, seconds, session.pk, str(reason), previous],
                )
            )
            insert += f" WHERE NOT EXISTS (SELECT 1 FROM m{number})"  # noqa: S608
        parts.append((f"n{number} AS ({insert})", values))
    final, final_values = _update_sql(session, SESSION_FIELDS, "id")
    sql = ("WITH " + ", ".join(part for part, _ in parts) + " " if parts else "") + final
    return sql, [value for _, values in parts for value in values] + final_values


def _update_sql(instance, fields: list[str], key: str) -> tuple[str, list]:
    """UPDATE of `fields` of `instance`'s row (its primary key column is `key`), with values
    prepared as the ORM prepares them (JSON, UUIDs, datetimes)."""
    sql, columns = _update_statement(type(instance), tuple(fields), key)
    db = prep_connection(
        DEFAULT_DB_ALIAS
    )  # not the proxy: a context lookup (a new wrapper per task)
    values = [field.get_db_prep_save(getattr(instance, field.attname), db) for field in columns]
    return sql, [*values, instance.pk]


@functools.cache
def _update_statement(model, fields: tuple[str, ...], key: str) -> tuple[str, tuple]:
    """The statement of _update_sql and its fields, worked out once per model and field list."""
    meta = model._meta
    columns = tuple(meta.get_field(name) for name in fields)
    assignments = ", ".join(f'"{field.column}" = %s' for field in columns)
    return f'UPDATE {meta.db_table} SET {assignments} WHERE "{key}" = %s', columns  # noqa: S608


_STATE_FIELDS = (
    "credited_until",
    "credited_since_check",
    "next_check_after",
    "check_id",
    "check_code",
    "check_issued_at",
    "check_image_served",
    "check_audio_served",
)


def _state_snapshot(state: LearnerPlayState) -> dict:
    """What a heartbeat may change of the learner's state (the rest is written only when it did)."""
    return {name: getattr(state, name) for name in _STATE_FIELDS}


_HEARTBEAT_ROWS = (
    (LearnerPlayState, "st"),
    (PlaybackSession, "s"),
    (LessonProgress, "lp"),
    (CourseProgress, "cp"),
)


@functools.cache
def _heartbeat_rows_sql(lock: bool) -> str:
    """The statement of heartbeat_rows_query, from the models' metadata (no value in it: the
    session and learner are parameters)."""
    columns = ", ".join(
        f'{alias}."{field.column}"'
        for model, alias in _HEARTBEAT_ROWS
        for field in model._meta.concrete_fields
    )
    tables = {model: model._meta.db_table for model, _alias in _HEARTBEAT_ROWS}
    return (
        f"SELECT {columns} FROM {tables[LearnerPlayState]} st"  # noqa: S608
        f" JOIN {tables[PlaybackSession]} s ON s.learner_id = st.learner_id"
        f" LEFT JOIN {tables[LessonProgress]} lp ON lp.id = s.lesson_progress_id"
        f" LEFT JOIN {tables[CourseProgress]} cp ON cp.id = lp.course_progress_id"
        " WHERE s.id = %s AND st.learner_id = %s" + (" FOR UPDATE OF st, s" if lock else "")
    )


def heartbeat_rows_query(learner_pk, session_id) -> tuple[str, list]:
    """A heartbeat's one read: the learner's state and the session, locked in that order (the
    order every path locks them in), with the session's lesson progress and its course's, not
    locked (see _lesson_item) — one statement, no page. 404 for a malformed session id."""
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        raise ProtocolError(404, "学习记录不存在") from None
    db = prep_connection(DEFAULT_DB_ALIAS)  # not the proxy: on the loop, a new wrapper per task
    sql = _heartbeat_rows_sql(db.features.has_select_for_update_of)
    return sql, [PlaybackSession._meta.pk.get_db_prep_value(key, db), learner_pk]


def heartbeat_rows_objects(row):
    """(state, session, lesson progress with its course's) from heartbeat_rows_query's row: 404
    for a session not theirs, 409 for one that has ended."""
    if row is None:  # not theirs, or no such session (their state exists once they started)
        raise ProtocolError(404, "学习记录不存在")
    objects, offset = [], 0
    for model, _alias in _HEARTBEAT_ROWS:
        width = len(model._meta.concrete_fields)
        values = row[offset : offset + width]
        offset += width
        objects.append(None if values[0] is None else from_row(model, values))
    state, session, item, course_progress = objects
    if not session.active:
        raise ProtocolError(409, ended_text(session.end_reason), reason=session.end_reason)
    if item is not None:
        item.course_progress = course_progress
    return state, session, item


def _lesson_item(learner, session, now) -> LessonProgress:
    """The session's lesson progress with its course's progress (one query; both rows exist
    from the session's start). Not locked: every writer of the frontier holds the learner's
    state lock, and completion re-reads under the course's lock."""
    item = (
        LessonProgress.objects.select_related("course_progress")
        .filter(
            course_progress__learner=learner,
            course_progress__course_id=session.course_id,
            lesson_id=session.lesson_id,
        )
        .first()
    )
    if item is None:  # a session from before the row was made at its start
        progress = course_progress_locked(learner=learner, course=session.course_id, now=now)
        item = lesson_progress(progress, session.lesson)
        item.course_progress = progress
    return item


def _completion_year(facts, now, year, session, *, fast=False):
    """The year a completion now would count for: the session's, unless its deadline has passed
    since the session started."""
    today = timezone.localdate(now)
    if current_year(today, accounting=facts.accounting, query=not fast) == year.year:
        return year
    if fast:
        raise NeedsThread("the year has turned")
    return completion_year_get_or_create(session.course, now)


def _credit(heartbeat: Heartbeat, session, year, state, item, now) -> tuple[float, dict]:
    """Seconds credited by `heartbeat`, extending `item.frontier` and the learner's clock, and
    the media seconds refused per reason."""
    duration = session.duration
    played = [(min(a, duration), min(b, duration)) for a, b in sorted(heartbeat.played)]
    claimed = sum(b - a for a, b in played)
    refused: dict[str, float] = {}
    if state.check_pending:
        refused[Reason.CHALLENGE_PENDING] = claimed
    if heartbeat.rate > 1.0:
        refused[Reason.RATE] = claimed
    if not heartbeat.visible:
        refused[Reason.HIDDEN] = claimed
    if refused:
        return 0.0, refused
    # Sequential watching: ranges that start at or before the frontier extend it.
    reach = item.frontier
    skipped = 0.0
    for start, end in played:
        if start <= reach + RANGE_TOLERANCE:
            reach = max(reach, end)
        else:
            skipped += end - start
    if skipped > 0:
        refused[Reason.SKIPPED_AHEAD] = skipped
    gain = max(0.0, reach - item.frontier)
    # The server's clock, per learner: since the later of the last credited instant and the
    # session's start, and at most the outage grace at once.
    grace = timedelta(seconds=year.outage_grace_seconds)
    anchor = max(session.started_at, now - grace)
    if state.credited_until is not None:
        anchor = max(anchor, state.credited_until)
    budget = max(0.0, (now - anchor).total_seconds())
    extension = min(gain, budget)
    if gain - extension > 1e-9:
        refused[Reason.WALL_CLOCK] = gain - extension
    if extension > 0:
        item.frontier = min(duration, item.frontier + extension)
        state.credited_until = anchor + timedelta(seconds=extension)
    # Credit is the lesson's first watching only: never more than the video in all.
    credited = max(0.0, min(extension, duration - item.credited))
    item.credited += credited
    return credited, refused


def _refusals_record(session, refused: dict, previous, now) -> None:
    """Merge each refusal into the session's run of the same reason if the previous heartbeat
    (at `previous`) was refused for it too (one UPDATE); otherwise start a run (a row per run,
    not per heartbeat)."""
    for reason, seconds in refused.items():
        merged = previous is not None and (
            RefusedRun.objects.filter(session=session, reason=reason, ended_at=previous).update(
                ended_at=now, heartbeats=F("heartbeats") + 1, seconds=F("seconds") + seconds
            )
        )
        if not merged:
            RefusedRun.objects.create(
                session=session,
                reason=reason,
                started_at=previous or session.started_at,
                ended_at=now,
                seconds=seconds,
            )


def _answer(seq, credited, item, facts, progress, reasons, state, now, complete=None) -> dict:
    if complete is None:
        complete = progress.completed_at is not None
    return {
        "seq": seq,
        "credited": round(credited, 3),
        "watched": round(item.credited, 3),
        "frontier": round(item.frontier, 3),
        "coverage": round(coverage(item.frontier, facts.duration), 4),
        "complete": item.completed_at is not None,
        "course_complete": bool(complete),
        "credit": credit_summary(progress) if complete else None,
        "reasons": [str(reason) for reason in reasons],
        "challenge": _challenge_payload(state, now),
    }


# --- Attention checks ------------------------------------------------------------------------


def _check_interval(year) -> float:
    low, high = year.attention_check_min_minutes * 60, year.attention_check_max_minutes * 60
    return random.SystemRandom().uniform(low, high)  # noqa: S311 (a moment, not a secret)


def _check_issue(state: LearnerPlayState, now) -> None:
    state.check_id = uuid.uuid4()
    state.check_code = "".join(secrets.choice(CHECK_CODE_CHARS) for _ in range(CHECK_CODE_LENGTH))
    state.check_issued_at = now
    state.check_image_served = False
    state.check_audio_served = False


def _check_expired(state: LearnerPlayState, now) -> bool:
    return (now - state.check_issued_at).total_seconds() >= CHECK_EXPIRES_IN


def _challenge_payload(state: LearnerPlayState, now) -> dict | None:
    if not state.check_pending:
        return None
    remaining = CHECK_EXPIRES_IN - (now - state.check_issued_at).total_seconds()
    return {
        "id": str(state.check_id),
        "image": reverse("player_challenge_image", kwargs={"check_id": state.check_id}),
        "audio": reverse("player_challenge_audio", kwargs={"check_id": state.check_id}),
        "expires_in": max(0, int(remaining)),
    }


def challenge_answer(*, learner, session_id, data: dict) -> tuple[int, dict]:
    """Check an answer: 200 {"passed"}; 429 when answering too fast; three wrong answers end the
    session (409 from then on) and raise a fraud signal."""
    answer = ChallengeAnswer.parse(data)
    with transaction.atomic():
        state, session = _active_locked(learner, session_id)
        if not state.check_pending or answer.id != str(state.check_id):
            raise ProtocolError(404, "该验证不存在或已过期，请刷新验证码")
        now = clock.now()
        last = state.check_last_answer_at
        if last is not None and (now - last).total_seconds() < CHECK_ANSWER_INTERVAL:
            raise ProtocolError(429, "作答过快，请稍后再试")
        state.check_last_answer_at = now
        if _check_expired(state, now):
            _check_issue(state, now)
            state.save()
            return 200, {
                "passed": False,
                "expired": True,
                "challenge": _challenge_payload(state, now),
            }
        given = answer.answer.encode("utf-8")  # compare_digest refuses non-ASCII str
        if secrets.compare_digest(given, state.check_code.encode()):
            state.check_id = None
            state.check_code = ""
            state.check_wrong_answers = 0
            state.checks_passed += 1
            state.credited_since_check = 0.0
            state.next_check_after = _check_interval(
                credit_year_rules(session.year_id) or session.year
            )
            # The time spent answering is not watching: the clock starts again now.
            state.credited_until = max(state.credited_until or now, now)
            state.save()
            return 200, {"passed": True}
        state.check_wrong_answers += 1
        state.checks_failed += 1
        ended = state.check_wrong_answers >= CHECK_WRONG_LIMIT
        CheckFailure.objects.create(
            learner=learner,
            session=session,
            check_id=state.check_id,
            created_at=now,
            ended_session=ended,
        )
        if ended:
            state.check_wrong_answers = 0
            _check_issue(state, now)  # still pending, with a new code, for the next session
            session.ended_at = now
            session.end_reason = EndReason.CHALLENGE_FAILED
            _session_end_save(session)
            FraudSignal.objects.create(
                learner=learner,
                session=session,
                kind=FraudSignal.Kind.ATTENTION_CHECK,
                detail=f"学习《{session.course.title}》{session.lesson.title}时随机验证连续答错 "
                f"{CHECK_WRONG_LIMIT} 次，本次学习已结束。",
                created_at=now,
            )
            session_ended_publish(session.pk, EndReason.CHALLENGE_FAILED)
        else:
            _check_issue(state, now)  # a new code after each wrong answer
        state.save()
        return 200, {
            "passed": False,
            "ended": ended,
            "attempts_left": 0 if ended else CHECK_WRONG_LIMIT - state.check_wrong_answers,
            "challenge": None if ended else _challenge_payload(state, now),
        }


def challenge_media(*, learner, check_id: str, kind: str) -> str:
    """The pending check's code, for its image or audio: once per code, to its owner only."""
    field = {"image": "check_image_served", "audio": "check_audio_served"}[kind]
    with transaction.atomic():
        state = _state_locked(learner)
        if not state.check_pending or str(state.check_id) != check_id:
            raise ProtocolError(404, "该验证不存在或已过期")
        if getattr(state, field):
            raise ProtocolError(410, "验证码只能获取一次，请刷新验证码")
        setattr(state, field, True)
        state.save(update_fields=[field])
        return state.check_code


# --- Explanations ----------------------------------------------------------------------------


def session_explanation(*, learner, session_id) -> dict:
    """For one session: what was credited, and for time not credited, when and why."""

    session = _session_of(learner, session_id, lock=False)
    return explain(session)


# --- Helpers ---------------------------------------------------------------------------------


def _state_locked(learner) -> LearnerPlayState:
    locked = LearnerPlayState.objects.select_for_update()
    state = locked.filter(learner=learner).first()
    if state is None:  # the learner's first session: create it (racing callers agree), lock it
        LearnerPlayState.objects.get_or_create(learner=learner)
        state = locked.get(learner=learner)
    return state


def _active_locked(learner, session_id) -> tuple[LearnerPlayState, PlaybackSession]:
    """The learner's state and their active session, locked in that order (404 for a session
    not theirs, 409 for one that has ended)."""
    state = _state_locked(learner)
    session = _session_of(learner, session_id, lock=True)
    if not session.active:
        raise ProtocolError(409, ended_text(session.end_reason), reason=session.end_reason)
    return state, session


def _session_of(learner, session_id, *, lock: bool) -> PlaybackSession:
    """The learner's own session, or 404 (someone else's is indistinguishable from none)."""
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        raise ProtocolError(404, "学习记录不存在") from None
    queryset = PlaybackSession.objects.all()  # its lesson, course and year load when used
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = queryset.filter(pk=key, learner=learner).first()
    if session is None:
        raise ProtocolError(404, "学习记录不存在")
    return session


def ended_text(reason: str) -> str:
    """Why a session ended, as the learner reads it (the 409 answer's `error`)."""
    if reason == EndReason.SUPERSEDED:
        return "您已在其他页面或设备开始学习，本页已停止计时"
    if reason == EndReason.CHALLENGE_FAILED:
        return "随机验证连续答错，本次学习已结束，请重新开始"
    if reason == EndReason.LESSON_UNAVAILABLE:
        return "该课程已下架，本次学习已结束；已完成的学时不受影响"
    return "本次学习已结束"
