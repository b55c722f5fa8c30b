"""What other apps may use of accounts: the bottom layer (DESIGN.md §5).

The people and organisations every other app's rows point to (`User`, `Organisation`, as types;
foreign keys name them as "accounts.User"), the reference data courses are classified by, the
role names, the audit log, the login's lifetime and the scoped reads. Nothing else of accounts
is to be imported from outside it (`lint-imports` holds that).
"""

from django.db.models import QuerySet

from .audit import audit_record, current_request
from .demo import demo_accounts_describe, demo_accounts_load
from .events import logins_ended
from .institutions import editor_institution, institution_editor_add, institution_workspace_ensure
from .middleware import (
    LoginDeadlines,
    activity_touch,
    login_now,
    session_activity_update,
    session_end_reason,
    session_login_check,
    session_login_deadlines,
    session_login_read,
)
from .models import (
    AuditAction,
    Industry,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TitleSeries,
    User,
)
from .roles import BUREAU_ADMIN, LEARNER, REVIEWER, institution_group_name
from .selectors import users_in_scope
from .speech import digits_wav, speech_available

__all__ = [
    "BUREAU_ADMIN",
    "LEARNER",
    "REVIEWER",
    "AuditAction",
    "LoginDeadlines",
    "Industry",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "TitleSeries",
    "User",
    "activity_touch",
    "audit_record",
    "current_request",
    "demo_accounts_describe",
    "demo_accounts_load",
    "digits_wav",
    "editor_institution",
    "industries",
    "institution_editor_add",
    "institution_group_name",
    "institution_workspace_ensure",
    "institutions_approved",
    "login_now",
    "logins_ended",
    "reviewer_organisations",
    "reviewers_of",
    "session_activity_update",
    "session_end_reason",
    "session_login_check",
    "session_login_deadlines",
    "session_login_read",
    "speech_available",
    "users_in_scope",
]


def industries() -> QuerySet[Industry]:
    return Industry.objects.all()


def institutions_approved() -> QuerySet[Organisation]:
    """The approved 施教机构, in registration order."""
    return Organisation.objects.filter(
        kind=OrganisationKind.INSTITUTION, status=OrganisationStatus.APPROVED
    ).order_by("pk")


def reviewer_organisations(*, kind: str, industry_id: int | None = None) -> QuerySet[Organisation]:
    """The approved organisations of `kind` whose reviewers (审核员) decide for the platform: the
    city bureau (a BUREAU with no county), the finance bureau, or an industry's department."""
    approved = Organisation.objects.filter(status=OrganisationStatus.APPROVED, kind=kind)
    if kind == OrganisationKind.BUREAU:
        return approved.filter(county__isnull=True)
    if kind == OrganisationKind.DEPARTMENT:
        return approved.filter(industry_id=industry_id) if industry_id else approved.none()
    return approved


def reviewers_of(organisations) -> QuerySet[User]:
    """The active reviewers (审核员) acting for any of `organisations`."""
    return User.objects.filter(
        is_active=True, groups__name=REVIEWER, organisation__in=organisations
    ).distinct()
