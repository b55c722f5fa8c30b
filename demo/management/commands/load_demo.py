from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.api import demo_accounts_describe, demo_accounts_load
from demo.content import demo_site_load
from demo.courses import demo_courses_load


class Command(BaseCommand):
    help = "加载演示内容（可重复运行：已有内容保留不变）"

    def add_arguments(self, parser):
        parser.add_argument("--password", default=settings.DEMO_PASSWORD)
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="网站地址（make run 传入实际的主机和端口），用于打印登录地址",
        )
        parser.add_argument(
            "--skip-courses",
            action="store_true",
            help="不生成演示课程（课程需要 ffmpeg 生成并转码视频，约一分钟）",
        )

    def handle(
        self,
        *args,
        password: str,
        site_url: str = "http://127.0.0.1:8000",
        skip_courses: bool = False,
        **options,
    ):
        if not settings.DEMO_CONTENT_ALLOWED:
            raise CommandError("演示内容只能在开发或测试环境加载（DEMO_CONTENT_ALLOWED）")
        accounts = demo_accounts_load(password=password)
        pages = demo_site_load()
        courses = 0
        if not skip_courses:
            self.stdout.write("正在生成演示课程（视频由 ffmpeg 生成并转码，首次约需一两分钟）……")
            courses = demo_courses_load(password=password)
        self.stdout.write(
            f"演示内容已就绪：新建页面 {pages['pages']} 个、机构 {accounts['organisations']} 个、"
            f"账号 {accounts['accounts']} 个、课程 {courses} 门。"
        )
        self.stdout.write(f"演示账号（密码均为 {password}）：")
        for line in demo_accounts_describe():
            self.stdout.write(line)
        site_url = site_url.rstrip("/")
        self.stdout.write(f"前台登录：{site_url}/accounts/login/  后台：{site_url}/admin/")
