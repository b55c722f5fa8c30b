"""What a learner-year of honest watching costs the player's tables (issue 17: at most 100 KB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anyang .venv/bin/python bench/player_storage.py
    .venv/bin/python bench/player_storage.py --learners 1 --hours 2   # a quick look

Makes a database of its own (`<name>_storage` beside DATABASE_URL's), migrates it, publishes
courses of six 45-minute lessons, and has each learner watch `--hours` hours (default 90, the
year's requirement) in sittings of one lesson (about 45 minutes), two a day, through the player's
own service (player.services: session start, a heartbeat every 10 s of media really played,
every attention check answered), on a clock that moves as the video plays. Then reports the
growth of every `player_*` table with its indexes and TOAST (`pg_total_relation_size`) per
learner (and for each learner after the first, once the tables' first pages exist: the
growth that scales with the number of learners): after a plain VACUUM (what autovacuum leaves: dead row versions of the updated rows
reused, not returned) and after VACUUM FULL (the live rows alone). Runs in this process: no
server, no load; a learner-year is 32,400 heartbeats, about a minute.

The updated rows (the session, the lesson's progress, the learner's state: one each per
heartbeat) leave dead versions until a vacuum; production's autovacuum reclaims them for reuse.
This machine's PostgreSQL runs without autovacuum, so the script vacuums the player tables after
every sitting, which is less often per learner than autovacuum's default (once a minute, while
thousands of learners each send six heartbeats): the figure after VACUUM is an upper bound.
"""

import argparse
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LESSON_SECONDS = 45 * 60
LESSONS_PER_COURSE = 6
BEAT = 10.0


def storage_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anyang")
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "anyang") + "_storage"
    return urlunsplit(parts._replace(path="/" + name))


def database_make(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PY, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        check=True,
    )


def player_sizes(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT relname, pg_total_relation_size(oid) FROM pg_class"
        " WHERE relkind = 'r' AND relname LIKE 'player\\_%' ORDER BY relname"
    )
    return dict(cursor.fetchall())


def measure(learner_count: int, hours: float) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from accounts.api import LEARNER
    from courses.api import InstitutionIndexPage, institution_page_ensure
    from credits.api import credit_year_get_or_create
    from player import clock, services
    from player.models import LearnerPlayState
    from tests.factories import (
        BasisScanFactory,
        CoursePageFactory,
        InstitutionFactory,
        LessonPageFactory,
        OrganisationFactory,
        UserFactory,
        VideoAssetFactory,
        home_page,
    )

    sittings = round(hours * 3600 / LESSON_SECONDS)
    courses = -(-sittings // LESSONS_PER_COURSE)
    start = clock.now().replace(month=3, day=1, hour=8, minute=0, second=0, microsecond=0)
    year = credit_year_get_or_create(year=start.year)
    with transaction.atomic():
        index = InstitutionIndexPage(title="施教机构", slug="institutions")
        home_page().add_child(instance=index)
        institution = InstitutionFactory(name="存储测量培训学院")
        page = institution_page_ensure(
            institution=institution, scope="测量", training_content="测量", fees=[], contact="测量"
        )
        lessons = []
        for number in range(courses):
            course = CoursePageFactory(
                parent=page, basis_scan=BasisScanFactory(), credit_years=[year]
            )
            for part in range(LESSONS_PER_COURSE):
                video = VideoAssetFactory(
                    institution=institution,
                    title=f"第{number + 1}门第{part + 1}讲",
                    duration=LESSON_SECONDS,
                )
                lesson = LessonPageFactory(parent=course, video=video)
                lesson.save_revision().publish()
                lessons.append(lesson)
            course.save_revision().publish()
    employer = OrganisationFactory(name="存储测量单位")
    people = [
        UserFactory(employer=employer, privacy_accepted_at=start, privacy_notice_version="2025-1")
        for _ in range(learner_count)
    ]
    for learner in people:
        learner.groups.add(Group.objects.get(name=LEARNER))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        before = player_sizes(cursor)

    now = start
    clock.now = lambda: now  # the clock the service credits by: it moves as the video plays
    heartbeats = checks = 0
    first = None  # the sizes once the first learner's year is in (the tables' first pages paid)
    for number, learner in enumerate(people):
        if number == 1:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM " + ", ".join(before))
                first = player_sizes(cursor)
        now = start
        for sitting in range(sittings):
            lesson = lessons[sitting % len(lessons)]
            status, body = services.session_start(learner=learner, lesson_id=lesson.pk)
            assert status == 201, body
            session, seq, position = body["session"], 0, 0.0
            while position < LESSON_SECONDS:
                now += timedelta(seconds=BEAT)
                seq += 1
                played = [position, min(LESSON_SECONDS, position + BEAT)]
                position = played[1]
                data = {
                    "seq": seq,
                    "position": position,
                    "played": [played],
                    "rate": 1.0,
                    "visible": True,
                }
                status, answer = services.heartbeat_record(
                    learner=learner, session_id=session, data=data, via="ws"
                )
                assert status == 200, answer
                heartbeats += 1
                if answer.get("challenge"):
                    code = LearnerPlayState.objects.get(learner=learner).check_code
                    status, _ = services.challenge_answer(
                        learner=learner,
                        session_id=session,
                        data={"id": answer["challenge"]["id"], "answer": code},
                    )
                    assert status == 200
                    checks += 1
            # the next sitting: half a day later (two a day)
            now = start + timedelta(hours=12 * (sitting + 1))
            with connection.cursor() as cursor:  # what autovacuum does (see the docstring)
                cursor.execute("VACUUM " + ", ".join(before))

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        after = player_sizes(cursor)
        cursor.execute("VACUUM FULL ANALYZE")
        full = player_sizes(cursor)
    growth = {name: after[name] - before.get(name, 0) for name in after}
    live = {name: full[name] - before.get(name, 0) for name in full}
    per_learner = sum(growth.values()) / learner_count
    further = (sum(after.values()) - sum(first.values())) / (learner_count - 1) if first else None
    return {
        "learners": learner_count,
        "hours_each": hours,
        "sittings_each": sittings,
        "heartbeats": heartbeats,
        "attention_checks": checks,
        "bytes_per_learner_year_after_vacuum": round(per_learner * 90 / hours),
        "bytes_per_learner_year_live": round(sum(live.values()) / learner_count * 90 / hours),
        # each learner after the first: what the tables grow by once their first pages exist
        "bytes_per_further_learner_year": round(further * 90 / hours) if first else None,
        "tables_after_vacuum": growth,
        "tables_live": live,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=3)
    parser.add_argument("--hours", type=float, default=90.0)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    url = storage_url()
    if os.environ.get("PLAYER_STORAGE_CHILD") != "1":
        database_make(url)
        env = {**os.environ, "DATABASE_URL": url, "PLAYER_STORAGE_CHILD": "1"}
        raise SystemExit(subprocess.run([PY, __file__, *sys.argv[1:]], env=env).returncode)
    result = measure(args.learners, args.hours)
    text = json.dumps(result, indent=1, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
