import datetime

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.utils import timezone

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


# --- Accounts ---------------------------------------------------------------------------------
from accounts.identity import credit_code_check_char, id_number_check_char  # noqa: E402
from accounts.models import (  # noqa: E402
    County,
    EmploymentStatus,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)


def valid_id_number(n: int, birth: str = "19900101", region: str = "410502") -> str:
    """A checksum-valid (made-up) resident ID number; n varies the sequence digits."""
    body = f"{region}{birth}{n % 1000:03d}"
    return body + id_number_check_char(body)


def valid_credit_code(n: int) -> str:
    body = f"91410500MA{n:07d}"
    return body + credit_code_check_char(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.EMPLOYER
    name = factory.Sequence(lambda n: f"安阳市测试单位{n}")
    status = OrganisationStatus.APPROVED
    credit_code = factory.Sequence(valid_credit_code)
    county = factory.LazyFunction(lambda: County.objects.get(code="410502"))


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"xylearner{n}")
    real_name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    employer = factory.SubFactory(OrganisationFactory)
    employment_status = EmploymentStatus.PENDING
    privacy_accepted_at = factory.LazyFunction(timezone.now)
    privacy_notice_version = "2025-1"
    password = factory.django.Password("Correct-horse-42")

    @factory.post_generation
    def id_number(self, create, extracted, **kwargs):
        self.set_id_number(extracted or valid_id_number(self.pk or 0))
        if create:
            self.save()


def employer_reviewer(employer: Organisation, username: str = "hr"):
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, organisation=employer)
    user.groups.add(Group.objects.get(name="用人单位审核员"))
    return user
