"""A small world for the course and listing tests, built from tests/factories.py: two
institutions with their pages, editors, instructors and ready videos; the listing reviewers of the bureau, the finance bureau and two
industries' departments; a learner; the current credit year (1 minute of video per 学时 in
tests)."""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from wagtail.documents.models import Document

from accounts.institutions import institution_internal_collection
from accounts.models import Industry, Organisation, OrganisationKind
from catalog.api import listing_workflow
from courses.models import (
    CoursePage,
    InstitutionIndexPage,
    InstitutionPage,
    Instructor,
    Subject,
)
from courses.services import institution_page_ensure
from credits.api import current_year
from credits.models import CreditYear
from credits.services import credit_year_get_or_create
from tests.factories import (
    BasisScanFactory,
    CoursePageFactory,
    InstitutionFactory,
    InstructorFactory,
    LearnerFactory,
    LessonPageFactory,
    OrganisationFactory,
    UserFactory,
    VideoAssetFactory,
    home_page,
)
from tests.media.people import make_editor

DISCLOSURE = {
    "scope": "<p>专业技术人员继续教育网络培训</p>",
    "training_content": "<p>网络安全、应急管理</p>",
    "fees": [("fee", {"item": "专业科目", "standard": "每学时 2 元", "note": ""})],
    "contact": "<p>0372-1234567</p>",
}


@dataclass
class Institution:
    organisation: Organisation
    page: InstitutionPage
    editor: object
    instructor: Instructor
    video: object  # a ready VideoAsset of 150 s
    scan: Document


@dataclass
class World:
    a: Institution
    b: Institution
    year: CreditYear
    reviewers: dict = field(default_factory=dict)  # "bureau", "finance", "health", "industry"
    learner: object = None

    def course(self, institution=None, *, lessons=1, video=None, **fields) -> CoursePage:
        """A complete course of `institution` (default: a), saved as its editor's draft revision,
        with `lessons` lessons of its ready video; `fields` override the course's."""
        institution = institution or self.a
        instructors = fields.pop("instructors", [institution.instructor])
        course = CoursePageFactory(parent=institution.page, basis_scan=institution.scan)
        # Then the overrides, as a draft saved from the editor (which defers required fields).
        for name, value in fields.items():
            setattr(course, name, value)
        # The 会计专区's year turns a day later (Dec 31): give its courses that year.
        accounting = fields.get("subject") == Subject.ACCOUNTING
        year = (
            credit_year_get_or_create(year=current_year(accounting=True))
            if accounting
            else self.year
        )
        course.credit_years.set([year])
        course.instructors.set(instructors)
        course.save_revision(user=institution.editor, clean=False)
        for number in range(lessons):
            LessonPageFactory(
                parent=course,
                title=f"第{number + 1}讲",
                video=video if video is not None else institution.video,
                revision_by=institution.editor,
            )
        course.refresh_from_db()
        return course


def submit(page, user):
    """What "提交审核" in the page editor does."""
    return listing_workflow().start(page.specific, user)


def act(page, user, action: str, comment: str = ""):
    """What a reviewer's button does (through the task's own rules)."""
    state = page.specific.current_workflow_state
    task_state = state.current_task_state.specific
    task = task_state.task.specific
    assert action in [name for name, _label, _modal in task.get_actions(page, user)]
    task.on_action(task_state, user, action, comment=comment)


def make_reviewer(username: str, organisation: Organisation):
    user = UserFactory(username=username, organisation=organisation)
    user.groups.add(Group.objects.get(name="审核员"))
    return user


def _institution(name: str, tag: str) -> Institution:
    organisation = InstitutionFactory(name=name)
    page = institution_page_ensure(institution=organisation, **DISCLOSURE)
    editor = make_editor(organisation, f"editor_{tag}")
    instructor = InstructorFactory(
        institution=organisation, name=f"{tag}老师", bio=f"{tag}老师长期从事网络安全研究。"
    )
    video = VideoAssetFactory(
        institution=organisation, title=f"{name}第一讲", duration=150.0, width=320, height=240
    )
    # An editor's upload lands in the institution's own (internal) collection.
    scan = BasisScanFactory(
        title=f"{name}审核文件", collection=institution_internal_collection(organisation)
    )
    return Institution(organisation, page, editor, instructor, video, scan)


@pytest.fixture
def world(db) -> World:
    index = InstitutionIndexPage(title="施教机构", slug="institutions")
    home_page().add_child(instance=index)
    year = credit_year_get_or_create(year=current_year())  # the catalog reads today's year
    assert year.minutes_per_hour == 1
    world = World(a=_institution("甲培训学院", "甲"), b=_institution("乙培训学院", "乙"), year=year)
    health = Industry.objects.get(name="卫生健康")
    industry = Industry.objects.get(name="工业和信息化")
    bureau = OrganisationFactory(
        kind=OrganisationKind.BUREAU, credit_code=None, county=None, name="安阳市人社局"
    )
    finance = OrganisationFactory(
        kind=OrganisationKind.FINANCE_BUREAU, credit_code=None, county=None, name="安阳市财政局"
    )
    health_department = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT, credit_code=None, industry=health, name="市卫健委"
    )
    industry_department = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT, credit_code=None, industry=industry, name="市工信局"
    )
    world.reviewers = {
        "bureau": make_reviewer("bureau_reviewer", bureau),
        "finance": make_reviewer("finance_reviewer", finance),
        "health": make_reviewer("health_reviewer", health_department),
        "industry": make_reviewer("industry_reviewer", industry_department),
    }
    learner = LearnerFactory(username="learner")
    learner.groups.add(Group.objects.get(name="学员"))
    world.learner = learner
    return world
