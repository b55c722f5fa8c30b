from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_accounts_describe, demo_accounts_load
from catalog.demo.content import demo_site_load


class Command(BaseCommand):
    help = "加载演示内容（可重复运行：已有内容保留不变）"

    def add_arguments(self, parser):
        parser.add_argument("--password", default=settings.DEMO_PASSWORD)

    def handle(self, *args, password: str, **options):
        if not settings.DEMO_CONTENT_ALLOWED:
            raise CommandError("演示内容只能在开发或测试环境加载（DEMO_CONTENT_ALLOWED）")
        accounts = demo_accounts_load(password=password)
        pages = demo_site_load()
        self.stdout.write(
            f"演示内容已就绪：新建页面 {pages['pages']} 个、机构 {accounts['organisations']} 个、"
            f"账号 {accounts['accounts']} 个。"
        )
        self.stdout.write(f"演示账号（密码均为 {password}）：")
        for line in demo_accounts_describe():
            self.stdout.write(line)
        self.stdout.write(
            "前台登录：http://127.0.0.1:8000/accounts/login/  后台：http://127.0.0.1:8000/admin/"
        )
