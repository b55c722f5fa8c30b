"""Demo organisations and one account of each role (`make run`). Idempotent: what exists is kept."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .identity import credit_code_check_char, id_number_check_char
from .institutions import institution_editor_add
from .models import (
    County,
    EmploymentStatus,
    Industry,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TitleLevel,
    TitleSeries,
    User,
)
from .roles import BUREAU_ADMIN, EMPLOYER_REVIEWER, INSTITUTION_EDITOR, LEARNER, REVIEWER


def _credit_code(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


def _id_number(body17: str) -> str:
    return body17 + id_number_check_char(body17)


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    kind: str
    name: str
    county: str | None = None  # county code
    credit_code: str | None = None
    industry: str | None = None
    supervisor: str | None = None  # key of the supervising department


DEMO_ORGANISATIONS = (
    DemoOrganisation("bureau", OrganisationKind.BUREAU, "安阳市人力资源和社会保障局"),
    DemoOrganisation(
        "linzhou_bureau", OrganisationKind.BUREAU, "林州市人力资源和社会保障局", "410581"
    ),
    DemoOrganisation("finance", OrganisationKind.FINANCE_BUREAU, "安阳市财政局"),
    DemoOrganisation(
        "health_dept", OrganisationKind.DEPARTMENT, "安阳市卫生健康委员会", industry="卫生健康"
    ),
    DemoOrganisation(
        "industry_dept",
        OrganisationKind.DEPARTMENT,
        "安阳市工业和信息化局",
        industry="工业和信息化",
    ),
    DemoOrganisation(
        "hospital",
        OrganisationKind.EMPLOYER,
        "安阳市示范医院（演示单位）",
        "410502",
        _credit_code("12410500MB0000010"),
        supervisor="health_dept",
    ),
    DemoOrganisation(
        "factory",
        OrganisationKind.EMPLOYER,
        "林州示范机械制造有限公司（演示单位）",
        "410581",
        _credit_code("91410581MA0000002"),
        supervisor="industry_dept",
    ),
    DemoOrganisation(
        "institution",
        OrganisationKind.INSTITUTION,
        "安阳市专业技术人员继续教育示范基地（演示机构）",
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    real_name: str
    role: str
    organisation: str | None = None
    description: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("bureau_admin", "市人社局管理员", BUREAU_ADMIN, "bureau", "后台 /admin/"),
    DemoAccount(
        "bureau_reviewer",
        "市人社局审核员",
        REVIEWER,
        "bureau",
        "后台 /admin/，审核公需科目课程上架",
    ),
    DemoAccount(
        "linzhou_reviewer", "林州市人社局审核员", REVIEWER, "linzhou_bureau", "后台 /admin/"
    ),
    DemoAccount(
        "linzhou_admin",
        "林州市人社局管理员",
        BUREAU_ADMIN,
        "linzhou_bureau",
        "后台 /admin/，审核林州市用人单位注册",
    ),
    DemoAccount(
        "health_reviewer",
        "卫健委审核员",
        REVIEWER,
        "health_dept",
        "后台 /admin/，审核卫生健康专业课程",
    ),
    DemoAccount(
        "industry_reviewer",
        "工信局审核员",
        REVIEWER,
        "industry_dept",
        "后台 /admin/，审核工业和信息化专业课程",
    ),
    DemoAccount(
        "finance_reviewer", "财政局审核员", REVIEWER, "finance", "后台 /admin/，审核会计专区课程"
    ),
    DemoAccount("hospital_hr", "示范医院人事科", EMPLOYER_REVIEWER, "hospital", "后台 /admin/"),
    DemoAccount(
        "institution_editor", "示范基地编辑", INSTITUTION_EDITOR, "institution", "后台 /admin/"
    ),
)

# The demo learner logs in with the phone or this (made-up, checksum-valid) ID number.
DEMO_LEARNER_PHONE = "13800000001"
DEMO_LEARNER_ID = _id_number("41050219900101001")


def demo_accounts_load(*, password: str) -> dict[str, int]:
    created = {"organisations": 0, "accounts": 0}
    with transaction.atomic():
        orgs: dict[str, Organisation] = {}
        for demo in DEMO_ORGANISATIONS:
            org = Organisation.objects.filter(kind=demo.kind, name=demo.name).first()
            if org is None:
                org = Organisation.objects.create(
                    kind=demo.kind,
                    name=demo.name,
                    county=County.objects.get(code=demo.county) if demo.county else None,
                    credit_code=demo.credit_code,
                    industry=Industry.objects.get(name=demo.industry) if demo.industry else None,
                    supervising_department=orgs.get(demo.supervisor),
                    status=OrganisationStatus.APPROVED,
                )
                if demo.kind == OrganisationKind.DEPARTMENT:
                    org.title_series.set(TitleSeries.objects.filter(industry=org.industry))
                created["organisations"] += 1
            orgs[demo.key] = org

        for account in DEMO_ACCOUNTS:
            if User.objects.filter(username=account.username).exists():
                continue
            user = User(
                username=account.username,
                real_name=account.real_name,
                organisation=orgs.get(account.organisation),
                is_superuser=account.username == "bureau_admin",
                is_staff=account.username == "bureau_admin",
            )
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=account.role))
            if account.role == INSTITUTION_EDITOR:
                institution_editor_add(institution=user.organisation, user=user)
            created["accounts"] += 1

        if not User.objects.filter(phone=DEMO_LEARNER_PHONE).exists():
            learner = User(
                username="learner",
                real_name="张学员",
                phone=DEMO_LEARNER_PHONE,
                employer=orgs["hospital"],
                employment_status=EmploymentStatus.CONFIRMED,
                title_series=TitleSeries.objects.get(name="卫生"),
                title_level=TitleLevel.INTERMEDIATE,
                privacy_accepted_at=timezone.now(),
                privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
            )
            learner.set_id_number(DEMO_LEARNER_ID)
            learner.set_password(password)
            learner.save()
            learner.groups.add(Group.objects.get(name=LEARNER))
            created["accounts"] += 1
    return created


def demo_accounts_describe() -> list[str]:
    lines = [
        f"  学员          手机号 {DEMO_LEARNER_PHONE} 或身份证号 {DEMO_LEARNER_ID}（前台 /accounts/login/）"
    ]
    for account in DEMO_ACCOUNTS:
        lines.append(
            f"  {account.role:<10} 用户名 {account.username:<20} {account.real_name}（{account.description}）"
        )
    return lines
