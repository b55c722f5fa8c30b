"""The hour ledger (DESIGN.md §5): append-only in the database on PostgreSQL and SQLite alike,
one source credits once, corrections are new reasoned entries, and the users and courses behind
entries cannot be deleted."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from credits.models import CreditCategory, CreditEntry, CreditSource
from credits.services import credit_correct, credit_grant
from tests.courses.conftest import act, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_course(world):
    course = world.course()
    submit(course, world.a.editor)
    act(course, world.reviewers["bureau"], "approve")
    course.refresh_from_db()
    return course


def grant(world, studied, **overrides):
    fields = {
        "learner": world.learner,
        "year": world.year,
        "category": CreditCategory.PUBLIC,
        "hours": studied.credit_hours,
        "source": CreditSource.ONLINE_COURSE,
        "source_key": f"course:{studied.pk}",
        "course": studied,
    }
    fields.update(overrides)
    return credit_grant(**fields)


def test_one_source_credits_once(world, live_course):
    entry, created = grant(world, live_course)
    again, created_again = grant(world, live_course, hours=Decimal("9.0"))
    assert created and not created_again and again.pk == entry.pk
    assert CreditEntry.objects.filter(learner=world.learner).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(
            learner=world.learner,
            year=world.year,
            category=CreditCategory.PUBLIC,
            hours=Decimal("1.0"),
            source=CreditSource.ONLINE_COURSE,
            source_key=f"course:{live_course.pk}",
            course=live_course,
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE credits_creditentry SET hours = 99",
        "DELETE FROM credits_creditentry",
    ],
)
def test_the_database_refuses_update_and_delete(world, live_course, sql):
    grant(world, live_course)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    entry = CreditEntry.objects.get()
    assert entry.hours == live_course.credit_hours
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditEntry.objects.filter(pk=entry.pk).update(hours=Decimal("50"))
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert CreditEntry.objects.count() == 1


def test_a_correction_is_a_new_reasoned_entry(world, live_course):
    entry, _ = grant(world, live_course)
    bureau = world.reviewers["bureau"]
    correction = credit_correct(
        learner=world.learner,
        year=world.year,
        category=CreditCategory.PUBLIC,
        hours=-entry.hours,
        reason="经核查该课程学时为代学所得，不予认定",
        actor=bureau,
        corrects=entry,
    )
    assert correction.source == CreditSource.CORRECTION and correction.actor == bureau
    assert CreditEntry.objects.count() == 2
    total = sum(e.hours for e in CreditEntry.objects.filter(learner=world.learner))
    assert total == 0
    with pytest.raises(ValueError):
        credit_correct(
            learner=world.learner,
            year=world.year,
            category=CreditCategory.PUBLIC,
            hours=Decimal("1"),
            reason="  ",
            actor=bureau,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(
            learner=world.learner,
            year=world.year,
            category=CreditCategory.PUBLIC,
            hours=Decimal("1"),
            source=CreditSource.CORRECTION,
            source_key="correction:no-actor",
            reason="无操作人",
        )


def test_online_hours_need_a_course_and_are_positive(world, live_course):
    with pytest.raises(IntegrityError), transaction.atomic():
        grant(world, live_course, course=None, source_key="course:none")
    with pytest.raises(IntegrityError), transaction.atomic():
        grant(world, live_course, hours=Decimal("-1.0"), source_key="course:negative")


def test_learners_and_courses_behind_entries_cannot_be_deleted(world, live_course):
    grant(world, live_course)
    with pytest.raises(ProtectedError), transaction.atomic():
        world.learner.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        live_course.delete()
    assert CreditEntry.objects.count() == 1


def test_a_closed_year_takes_no_new_hours(world, live_course):
    world.year.closed = True
    world.year.save()
    with pytest.raises(ValueError):
        grant(world, live_course)
    assert not CreditEntry.objects.exists()


def test_maintenance_lets_the_flush_through_for_its_transaction_only(world, live_course):
    """config.db.maintenance_mode (the suite's flush): inside it the ledger's rows may go; the
    bypass is the transaction's, so a failure inside rolls the deletion back and afterwards the
    database refuses again."""
    from config.db import maintenance_mode

    grant(world, live_course)
    with pytest.raises(RuntimeError), maintenance_mode():
        CreditEntry.objects.all().delete()
        assert not CreditEntry.objects.exists()
        raise RuntimeError("the flush failed")
    assert CreditEntry.objects.count() == 1  # rolled back with the bypass
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditEntry.objects.all().delete()
    with maintenance_mode():
        CreditEntry.objects.all().delete()
    assert not CreditEntry.objects.exists()
    grant(world, live_course, source_key="course:again")
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditEntry.objects.all().delete()
