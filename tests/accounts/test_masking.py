"""No full ID number on any page, for any role, but its owner's own profile (DESIGN.md §5).

Each role crawls every page it can reach from the site's home page and the admin dashboard, and
every response is searched for any 18-character resident ID number."""

import io
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import OrganisationKind
from tests.factories import LearnerFactory, OrganisationFactory, UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
LINK = re.compile(r'href="([^"#]+)')
SKIP = ("/accounts/logout", "/admin/logout", "/static/", "/media/", "/documents/", "/captcha/")
MAX_PAGES = 250


def crawl(client, starts):
    seen, queue, pages = set(starts), deque(starts), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode(errors="replace")
        pages[url] = html
        for href in LINK.findall(html):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIP):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                seen.add(path)
                queue.append(path)
    return pages


@pytest.fixture
def people():
    call_command(
        "load_demo", "--password", "Demo-pass-2025", "--skip-courses", stdout=io.StringIO()
    )
    hospital = OrganisationFactory(name="安阳市掩码测试医院")
    owner = LearnerFactory(employer=hospital, real_name="掩码学员", id_number=valid_id_number(42))
    hr = UserFactory(username="mask_hr", organisation=hospital)
    hr.groups.add(Group.objects.get(name="用人单位审核员"))
    department = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT,
        credit_code=None,
        name="测试主管部门",
        industry_id=1,
    )
    reviewer = UserFactory(username="mask_reviewer", organisation=department)
    reviewer.groups.add(Group.objects.get(name="审核员"))
    admin = UserFactory(username="mask_admin", is_superuser=True, is_staff=True)
    other = LearnerFactory(employer=hospital, real_name="另一学员")
    return {"owner": owner, "hr": hr, "reviewer": reviewer, "admin": admin, "other": other}


@pytest.mark.parametrize("role", ["anonymous", "other", "hr", "reviewer", "admin", "owner"])
def test_no_page_shows_a_full_id_number(client, people, role):
    viewer = people.get(role)
    if viewer is not None:
        client.force_login(viewer)
    own = {viewer.id_number_for_owner()} if viewer is not None and viewer.is_learner else set()
    starts = ["/", "/my/", "/admin/", "/admin/staff/?status=all", "/admin/users/"]
    pages = crawl(client, starts)
    assert len(pages) >= (3 if role in ("anonymous", "other", "owner") else 8), sorted(pages)
    leaks = {}
    for url, html in pages.items():
        found = {number.upper() for number in FULL_ID.findall(html)}
        if url in ("/my/profile/", "/my/profile/edit/"):
            found -= own  # a learner's own profile, and only that, shows their own number
        if found:
            leaks[url] = found
    assert leaks == {}
    if role == "owner":
        assert people["owner"].id_number_for_owner() in pages["/my/profile/"]
    if role == "hr":
        assert people["owner"].id_number_masked in pages["/admin/staff/?status=all"]
