"""Writes for the courses app."""

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import GroupPagePermission

from accounts.api import Organisation, OrganisationKind, institution_workspace_ensure

from .models import InstitutionIndexPage, InstitutionPage

# What an institution's group may do on its own page and below it. Publishing goes through the
# listing-approval workflow (courses issue), so it is not granted here.
INSTITUTION_PAGE_PERMISSIONS = ("add", "change")


def institution_page_ensure(
    *, institution: Organisation, scope: str, training_content: str, fees: list, contact: str
) -> InstitutionPage:
    """The institution's disclosure page under 施教机构 (created if missing, published), with its
    group allowed to add and change pages in that subtree only. Idempotent; never overwrites an
    existing page's content."""
    if institution.kind != OrganisationKind.INSTITUTION:
        raise ValueError("only a training institution has a disclosure page")
    with transaction.atomic():
        group = institution_workspace_ensure(institution=institution)
        page = InstitutionPage.objects.filter(organisation=institution).first()
        if page is None:
            index = InstitutionIndexPage.objects.get()
            page = InstitutionPage(
                title=institution.name,
                slug=slugify(f"institution-{institution.pk}"),
                organisation=institution,
                scope=scope,
                training_content=training_content,
                fees=fees,
                contact=contact,
            )
            index.add_child(instance=page)
            page.save_revision().publish()
        for permission_type in INSTITUTION_PAGE_PERMISSIONS:
            if not GroupPagePermission.objects.filter(
                group=group, page=page, permission__codename=f"{permission_type}_page"
            ).exists():
                GroupPagePermission.objects.create(
                    group=group, page=page, permission_type=permission_type
                )
    return page
