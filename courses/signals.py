"""Keep live courses' search documents current when a name they are found by changes: an
instructor's version going live (or withdrawn), a topic or industry renamed, an institution's
disclosure page published, a course moved."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from accounts.api import Industry

from .facts import lesson_facts_forget
from .models import CoursePage, InstitutionPage, Instructor, LessonPage, Topic


def course_search_refresh(courses) -> None:
    """Rebuild the search documents of `courses` (a CoursePage queryset) without new revisions."""
    for course in courses:
        CoursePage.objects.filter(pk=course.pk).update(
            search_document=course.build_search_document()
        )


@receiver(published, sender=Instructor)
@receiver(unpublished, sender=Instructor)
def _instructor_changed(sender, instance, **kwargs):
    course_search_refresh(CoursePage.objects.filter(instructors=instance))


@receiver(post_save, sender=Topic)
def _topic_saved(sender, instance, **kwargs):
    transaction.on_commit(lambda: course_search_refresh(CoursePage.objects.filter(topic=instance)))


@receiver(post_save, sender=Industry)
def _industry_saved(sender, instance, **kwargs):
    transaction.on_commit(
        lambda: course_search_refresh(CoursePage.objects.filter(industry=instance))
    )


@receiver(page_published, sender=InstitutionPage)
def _institution_published(sender, instance, **kwargs):
    course_search_refresh(CoursePage.objects.child_of(instance))


@receiver(post_page_move)
def _page_moved(sender, instance, **kwargs):
    course_search_refresh(CoursePage.objects.descendant_of(instance, inclusive=True))


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(post_delete, sender=CoursePage)
@receiver(post_delete, sender=LessonPage)
def _lesson_facts_changed(sender, instance, **kwargs):
    """A heartbeat in this process sees a withdrawn course at once (others within a minute)."""
    lesson_facts_forget()
