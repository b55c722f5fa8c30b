"""Reads with a scope: what each staff user may see (DESIGN.md §5)."""

from django.db.models import QuerySet

from .models import EmploymentStatus, OrganisationKind, User


def employer_staff_for_reviewer(*, reviewer: User, status: str | None = None) -> QuerySet[User]:
    """Registrants who name the reviewer's employer; nobody else's. Empty for non-employers."""
    employer = reviewer.organisation
    if employer is None or employer.kind != OrganisationKind.EMPLOYER:
        return User.objects.none()
    staff = User.objects.filter(employer=employer).select_related("title_series")
    if status:
        staff = staff.filter(employment_status=status)
    return staff.order_by("employment_status", "date_joined")


def employer_pending_count(*, reviewer: User) -> int:
    return employer_staff_for_reviewer(reviewer=reviewer, status=EmploymentStatus.PENDING).count()
