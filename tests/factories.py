import datetime
from decimal import Decimal

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


# --- Courseware: institutions, videos, instructors, courses, lessons, quizzes -------------------
from courses.models import (  # noqa: E402
    BasisKind,
    CoursePage,
    Instructor,
    LessonPage,
    Subject,
    Topic,
)
from media.models import VideoAsset, VideoStatus  # noqa: E402


class InstitutionFactory(OrganisationFactory):
    """A 施教机构 (approved). Its disclosure page and workspace come from the real service:
    `courses.services.institution_page_ensure`."""

    kind = OrganisationKind.INSTITUTION
    credit_code = None
    name = factory.Sequence(lambda n: f"安阳市测试培训学院{n}")


class VideoAssetFactory(factory.django.DjangoModelFactory):
    """A video asset row, ready by default (no files: delivery tests write their own)."""

    class Meta:
        model = VideoAsset

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"示范讲座第{n}讲")
    original_name = "lecture.mp4"
    status = VideoStatus.READY

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        asset = model_class(*args, **kwargs)
        asset.source_key = asset.source_key or f"{asset.prefix}source.mp4"  # as uploads name it
        asset.save()
        return asset


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"测试老师{n}")
    title = "教授"
    affiliation = factory.LazyAttribute(lambda o: o.institution.name)
    bio = factory.LazyAttribute(lambda o: f"{o.name}长期从事网络安全研究。")


class BasisScanFactory(factory.django.DjangoModelFactory):
    """The scanned approval (课件审核依据) a course cites; pass the institution's collection."""

    class Meta:
        model = "wagtaildocs.Document"

    title = factory.Sequence(lambda n: f"审核文件{n}")
    file = factory.django.FileField(filename="basis.pdf", data=b"%PDF-1.4 basis")


class CoursePageFactory(wagtail_factories.PageFactory):
    """A complete course under `parent` (an InstitutionPage), not live: pass `basis_scan`, and
    `credit_years` / `instructors` as lists. With `revision_by`, saved as that editor's draft
    revision (what 保存草稿 does), after the lists are set."""

    class Meta:
        model = CoursePage

    title = "网络安全法律法规解读"
    summary = "解读网络安全法及配套法规。"
    subject = Subject.PUBLIC
    topic = factory.LazyFunction(lambda: Topic.objects.get(name="网络安全"))
    credit_hours = Decimal("2.0")
    basis_kind = BasisKind.DEPARTMENT
    basis_body = "河南省人力资源和社会保障厅"
    basis_document_number = "豫人社函〔2025〕12号"
    basis_date = datetime.date(2025, 3, 1)
    live = False

    @factory.post_generation
    def credit_years(self, create, extracted, **kwargs):
        if extracted is not None:
            self.credit_years.set(extracted)

    @factory.post_generation
    def instructors(self, create, extracted, **kwargs):
        if extracted is not None:
            self.instructors.set(extracted)

    @factory.post_generation
    def revision_by(self, create, extracted, **kwargs):
        if create and extracted is not None:
            self.save_revision(user=extracted, clean=False)


class LessonPageFactory(wagtail_factories.PageFactory):
    """A lesson under `parent` (a CoursePage), not live: pass its `video`. With `revision_by`,
    saved as that editor's draft revision."""

    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"第{n + 1}讲")
    live = False

    @factory.post_generation
    def revision_by(self, create, extracted, **kwargs):
        if create and extracted is not None:
            self.save_revision(user=extracted)


def single_choice(question: str, right: str, *wrong: str) -> tuple:
    """One 单选题 of a quiz's StreamField (courses.quiz), the right option first."""
    options = [{"text": right, "correct": True}] + [{"text": w, "correct": False} for w in wrong]
    return ("single", {"question": question, "options": options})


def true_false(question: str, answer: bool) -> tuple:
    """One 判断题."""
    return ("true_false", {"question": question, "answer": "true" if answer else "false"})


QUIZ = [
    single_choice(
        "《中华人民共和国网络安全法》自哪一天起施行？",
        "2017年6月1日",
        "2016年11月7日",
        "2021年9月1日",
    ),
    true_false("关键信息基础设施的运营者应当履行安全保护义务。", True),
]
