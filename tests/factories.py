import datetime

import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from catalog.models import HelpPage, HomePage, NoticeIndexPage, NoticePage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("Correct-horse-42")


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class NoticeIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NoticeIndexPage

    title = "通知公告"
    slug = "notices"


class NoticePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NoticePage

    title = factory.Sequence(lambda n: f"关于做好继续教育工作的第{n}号通知")
    date = factory.LazyFunction(lambda: datetime.date(2025, 5, 1))
    document_number = factory.Sequence(lambda n: f"安人社函〔2025〕{n}号")
    body = "<p>专业技术人员每年需完成不少于 90 学时的继续教育任务。</p>"


class HelpPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HelpPage

    title = "常见问题"
    slug = "faq"


def home_page() -> HomePage:
    """The home page the catalog migration created (the site root)."""
    return HomePage.objects.get(depth=2)
