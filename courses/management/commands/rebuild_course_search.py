from django.core.management.base import BaseCommand

from config.page_cache import page_cache_purge
from courses.models import CoursePage
from courses.signals import course_search_refresh


class Command(BaseCommand):
    help = "重建全部课程的搜索索引（升级搜索规则后运行一次）"

    def handle(self, *args, **options):
        courses = CoursePage.objects.all()
        course_search_refresh(courses)
        page_cache_purge()  # cached search pages show the old index
        self.stdout.write(f"已重建 {courses.count()} 门课程的搜索索引。")
