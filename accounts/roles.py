"""Roles are groups with permissions (DESIGN.md §1). Each institution also gets a group of its
own, so that its editors can be given their own pages, collection and media only."""

from django.utils.translation import gettext_lazy as _

LEARNER = "学员"
EMPLOYER_REVIEWER = "用人单位审核员"
INSTITUTION_EDITOR = "施教机构编辑"
REVIEWER = "审核员"  # listing and declaration reviewer: department, finance bureau, bureau
BUREAU_ADMIN = "人社局管理员"

ROLE_DESCRIPTIONS = {
    LEARNER: _("学习课程、申报学时、查看本人学时档案"),
    EMPLOYER_REVIEWER: _("确认本单位人员、初审本单位人员的学时申报、导出本单位学时"),
    INSTITUTION_EDITOR: _("上传课件、编辑本机构的课程与公开信息"),
    REVIEWER: _("审核课程上架和学时申报（行业主管部门、财政局、人社局）"),
    BUREAU_ADMIN: _("管理年度规则、通知公告、机构与账号"),
}

# Which roles enter the Wagtail admin (staff land there on their own queue).
ADMIN_ROLES = (EMPLOYER_REVIEWER, INSTITUTION_EDITOR, REVIEWER, BUREAU_ADMIN)

# The groups and their permissions are created by accounts/migrations/0002 (a frozen snapshot).


def institution_group_name(organisation_id: int) -> str:
    return f"施教机构#{organisation_id}"
