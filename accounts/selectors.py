"""Reads with a scope: what each staff user may see (DESIGN.md §5)."""

from django.db.models import Q, QuerySet

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


def users_in_scope(*, viewer: User, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """The people a staff user may see (DESIGN.md §5): the city bureau everyone; a county bureau
    those of its county; a department the learners of the title series it oversees or of the
    employers it supervises; the finance bureau accountants; an employer its own staff and
    registrants; an institution its own editors. Everyone else: nobody."""

    users = queryset if queryset is not None else User.objects.all()
    if viewer.is_superuser:
        return users
    org = viewer.organisation
    if org is None or org.status != "approved":
        return users.none()
    if org.kind == OrganisationKind.BUREAU:
        if org.county_id is None:
            return users
        return users.filter(
            Q(employer__county=org.county_id) | Q(organisation__county=org.county_id)
        )
    if org.kind == OrganisationKind.DEPARTMENT:
        return users.filter(
            Q(title_series__in=org.title_series.all())
            | Q(employer__supervising_department=org)
            | Q(organisation=org)
        ).distinct()
    if org.kind == OrganisationKind.FINANCE_BUREAU:
        return users.filter(Q(is_accountant=True) | Q(organisation=org))
    if org.kind == OrganisationKind.EMPLOYER:
        return users.filter(Q(employer=org) | Q(organisation=org))
    return users.filter(organisation=org)
