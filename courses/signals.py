"""Keep live courses' search documents current when an instructor's new version goes live."""

from django.dispatch import receiver
from wagtail.signals import published

from .models import CoursePage, Instructor


@receiver(published, sender=Instructor)
def refresh_course_search(sender, instance, **kwargs):
    for course in CoursePage.objects.filter(instructors=instance):
        CoursePage.objects.filter(pk=course.pk).update(
            search_document=course.build_search_document()
        )
