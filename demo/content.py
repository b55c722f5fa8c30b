"""The demo site: what `make run` loads. Every function is idempotent: a second run keeps what is
there (it creates only what is missing and never overwrites an edit)."""

from pathlib import Path

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from accounts.api import institutions_approved
from catalog.api import (
    HelpPage,
    HomePage,
    NoticeIndexPage,
    NoticePage,
    SiteFilingSettings,
    notice_parse,
)
from courses.api import InstitutionIndexPage, InstitutionPage, institution_page_ensure

DEMO_DIR = Path(__file__).resolve().parent
NOTICE_2025 = DEMO_DIR / "anyang-notice-2025.txt"


FAQ = (
    (
        "每年需要完成多少学时？",
        "<p>专业技术人员每年需完成不少于 90 学时的继续教育，其中公需科目不少于 30 学时，"
        "专业科目不少于 60 学时。公需科目超出 30 学时的部分不计入专业科目。</p>",
    ),
    (
        "在线学习的学时需要申报吗？",
        "<p>不需要。通过本平台学习入口在线学习获得的学时，在课程学完后自动计入个人学时档案，无需申报。</p>",
    ),
    (
        "研修培训、实践操作、服务基层等学时怎么计入？",
        "<p>通过“学时申报”提交证明材料，经用人单位审核后，再由行业主管部门（公需科目由人社部门）审核，"
        "每一级审核时限不超过 5 个工作日。</p>",
    ),
    (
        "当年的学时可以结转到下一年吗？",
        "<p>不可以。当年度获得的继续教育学时不得结转或顺延至下一年度。"
        "请在 12 月 30 日前完成本年度学时及申报。</p>",
    ),
    (
        "公需科目收费吗？",
        "<p>公需科目在本平台免费学习。专业科目由施教机构提供，收费项目及标准在各施教机构的公开信息中列明。</p>",
    ),
    (
        "会计人员在哪里学习专业科目？",
        "<p>会计专业技术人员进入“会计专区”学习专业科目。</p>",
    ),
)

INSTITUTION_DISCLOSURE = {
    "scope": "<p>面向本市专业技术人员的公需科目和专业科目网络培训。</p>",
    "training_content": (
        "<ul><li>公需科目：数字技术、网络安全、绿色低碳、应急管理等普及内容</li>"
        "<li>专业科目：卫生健康、工程技术等行业的新理论、新知识、新技术、新方法</li></ul>"
    ),
    "fees": [
        ("fee", {"item": "公需科目", "standard": "免费", "note": ""}),
        (
            "fee",
            {"item": "专业科目网络课程", "standard": "每学时 2 元（演示）", "note": "按课程学时计"},
        ),
    ],
    "contact": "<p>咨询电话：0372-0000000（演示）；工作日 8:30–17:30</p>",
}

CONTACT_HTML = (
    "<p>安阳市人力资源和社会保障局 专业技术人员管理科</p>"
    "<ul><li>咨询时间：工作日 上午 8:30–12:00，下午 14:30–17:30</li>"
    "<li>平台技术支持：请通过本页的咨询电话联系，并说明注册手机号（请勿提供密码）</li></ul>"
)


def _child(parent: Page, model, slug: str, **fields) -> tuple[Page, bool]:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def demo_site_load() -> dict[str, int]:
    """Create the demo pages and settings that are missing. Returns counts created."""
    created = {"pages": 0}
    with transaction.atomic():
        home = HomePage.objects.get(depth=2)
        site = Site.objects.get(is_default_site=True)

        notices, new = _child(home, NoticeIndexPage, "notices", title="通知公告")
        created["pages"] += new
        parsed = notice_parse(NOTICE_2025.read_text(encoding="utf-8"))
        _, new = _child(
            notices,
            NoticePage,
            "2025-continuing-education",
            title=parsed.title,
            issuer=parsed.issuer,
            document_number=parsed.document_number,
            date=timezone.localdate(),
            body=parsed.body_html,
        )
        created["pages"] += new

        _, new = _child(
            home,
            HelpPage,
            "faq",
            title="常见问题",
            intro="<p>关于学时要求、学习方式与申报审核的常见问题。</p>",
            questions=[("question", {"question": q, "answer": a}) for q, a in FAQ],
        )
        created["pages"] += new
        _, new = _child(home, HelpPage, "contact", title="联系我们", contact=CONTACT_HTML)
        created["pages"] += new

        _, new = _child(
            home,
            InstitutionIndexPage,
            "institutions",
            title="施教机构",
            intro="<p>各施教机构公开培训范围、培训内容、收费项目及标准。</p>",
        )
        created["pages"] += new
        for institution in institutions_approved():
            if not InstitutionPage.objects.filter(organisation=institution).exists():
                institution_page_ensure(institution=institution, **INSTITUTION_DISCLOSURE)
                created["pages"] += 1

        filing = SiteFilingSettings.for_site(site)
        if not filing.icp_number:
            filing.icp_number = "豫ICP备00000000号（演示）"
            filing.police_number = "豫公网安备 41050000000000号（演示）"
            filing.help_phone = "0372-0000000（演示）"
            filing.save()

    return created
