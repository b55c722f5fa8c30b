"""Seed the heartbeat benchmark's database (run by bench/heartbeat_load.py in a subprocess, with
DATABASE_URL pointing at the benchmark's own database, already migrated).

Writes, as JSON on stdout: for each of N learners a logged-in Django session (its cookie), a
playback session of the one bench lesson, and the lesson's id — everything the load generator
needs to speak protocol v1 as that learner. Also the bare baseline's table, one row per learner.

The year's rules are set for a benchmark, not for learners: no flood limit (the generator sends
as fast as answered) and attention checks far away (none comes during a run). The lesson is an
hour long, so no run completes it.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
)
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.api import LEARNER, User  # noqa: E402
from accounts.middleware import LAST_ACTIVITY_KEY, LOGIN_AT_KEY  # noqa: E402
from courses.api import InstitutionIndexPage, institution_page_ensure  # noqa: E402
from credits.api import credit_year_get_or_create, current_year  # noqa: E402
from credits.models import CreditYear  # noqa: E402
from player import services  # noqa: E402
from tests.factories import (  # noqa: E402
    BasisScanFactory,
    CoursePageFactory,
    InstitutionFactory,
    LessonPageFactory,
    OrganisationFactory,
    VideoAssetFactory,
    home_page,
)

LESSON_SECONDS = 3600.0
BACKEND = "accounts.backends.IdentifierBackend"


def course_lesson(year: CreditYear):
    lesson = LessonPageFactory._meta.model.objects.live().first()
    if lesson is not None:
        return lesson
    index = InstitutionIndexPage(title="施教机构", slug="institutions")
    home_page().add_child(instance=index)
    institution = InstitutionFactory(name="基准测试培训学院")
    page = institution_page_ensure(
        institution=institution, scope="基准", training_content="基准", fees=[], contact="基准"
    )
    video = VideoAssetFactory(
        institution=institution, title="一小时的一讲", duration=LESSON_SECONDS
    )
    course = CoursePageFactory(parent=page, basis_scan=BasisScanFactory(), credit_years=[year])
    lesson = LessonPageFactory(parent=course, video=video)
    course.save_revision().publish()
    lesson.save_revision().publish()
    return lesson


def learners(count: int) -> list[User]:
    have = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    if len(have) < count:
        employer = OrganisationFactory(name="基准测试单位")
        new = [
            User(
                username=f"bench{n:07d}",
                real_name="基准学员",
                phone=f"170{n:08d}",
                employer=employer,
                privacy_accepted_at=timezone.now(),
                privacy_notice_version="2025-1",
            )
            for n in range(len(have), count)
        ]
        for user in new:
            user.set_unusable_password()
        User.objects.bulk_create(new, batch_size=1000)
        have = list(User.objects.filter(username__startswith="bench").order_by("pk"))
        group = Group.objects.get(name=LEARNER)
        Through = User.groups.through
        Through.objects.bulk_create(
            [Through(user_id=user.pk, group_id=group.pk) for user in have],
            ignore_conflicts=True,
            batch_size=1000,
        )
    return have[:count]


def login(user: User) -> str:
    store = SessionStore()
    now = int(timezone.now().timestamp())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT_KEY] = now
    store[LAST_ACTIVITY_KEY] = now
    store.create()
    return store.session_key


def main() -> None:
    count = int(sys.argv[1])
    year = credit_year_get_or_create(year=current_year())
    CreditYear.objects.filter(pk=year.pk).update(
        heartbeat_messages_per_interval=30_000,
        attention_check_min_minutes=600,
        attention_check_max_minutes=601,
    )
    with transaction.atomic():
        lesson = course_lesson(year)
    people = learners(count)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_learner ("
            " id integer PRIMARY KEY, beats integer NOT NULL DEFAULT 0,"
            " frontier double precision NOT NULL DEFAULT 0, last_at timestamptz)"
        )
        cursor.execute("TRUNCATE bench_learner")
        cursor.executemany(
            "INSERT INTO bench_learner (id) VALUES (%s)", [(user.pk,) for user in people]
        )
    out = []
    for user in people:
        _status, body = services.session_start(learner=user, lesson_id=lesson.pk)
        out.append({"learner": user.pk, "cookie": login(user), "session": body["session"]})
    json.dump({"lesson": lesson.pk, "learners": out}, sys.stdout)


if __name__ == "__main__":
    main()
