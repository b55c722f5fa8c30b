"""The home page's entries (DESIGN.md §1). Each names the URL of its feature; a feature that a
later issue builds is served meanwhile by a page that says it is coming (catalog.views)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    summary: str
    url_name: str

    @cached_property
    def url(self) -> str:
        return reverse(self.url_name)


HOME_ENTRIES = (
    Entry(
        "public", _("公需科目"), _("免费学习，重点与普及内容，每年不少于 30 学时"), "entry_public"
    ),
    Entry(
        "professional",
        _("专业科目"),
        _("按行业与职称系列选择施教机构，每年不少于 60 学时"),
        "entry_professional",
    ),
    Entry("accounting", _("会计专区"), _("会计专业技术人员在专区学习专业科目"), "entry_accounting"),
    Entry(
        "declare",
        _("学时申报"),
        _("研修培训、实践操作、服务基层等学时，凭证明申报"),
        "entry_declare",
    ),
    Entry("hours", _("学时查询"), _("查看本年度学时进度与学时档案"), "entry_hours"),
    Entry("verify", _("证书查验"), _("凭查验码核对学时证明的真伪"), "entry_verify"),
)

# What each entry will be, shown on its page until the feature lands.
COMING = {entry.url_name: entry for entry in HOME_ENTRIES}
