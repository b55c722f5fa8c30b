"""The catalog lists and search: only live, approved courses of the current credit year; Chinese
search by words, parts of words and names; filters and sorting; a fixed number of queries; and
anonymous pages cached without a CSRF token, purged on publish."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Industry
from courses.models import CoursePage, LessonPage, Subject, Topic
from tests.courses.conftest import act, submit
from tests.factories import InstructorFactory

pytestmark = pytest.mark.django_db


def listed(world, institution=None, **fields):
    """A course that went through the listing workflow and is live."""
    course = world.course(institution, **fields)
    submit(course, (institution or world.a).editor)
    reviewer = {
        Subject.PUBLIC: "bureau",
        Subject.ACCOUNTING: "finance",
        Subject.PROFESSIONAL: "health",
    }[fields.get("subject", Subject.PUBLIC)]
    act(course, world.reviewers[reviewer], "approve")
    course.refresh_from_db()
    assert course.live
    return course


def published(world, institution=None, **fields):
    """A live course without the workflow, for tests about reading many courses."""
    course = world.course(institution, **fields)
    course.get_latest_revision().publish()
    for lesson in LessonPage.objects.child_of(course):
        lesson.get_latest_revision_as_object().save_revision().publish()
    return course


def titles(response) -> list[str]:
    return [course.title for course in response.context["page_obj"].object_list]


def test_search_finds_words_parts_of_words_and_names(world, client):
    listed(world, title="网络安全法律法规解读", summary="解读网络安全法及配套法规。")
    listed(
        world,
        title="绿色低碳发展与碳达峰",
        summary="碳达峰碳中和的政策与实践。",
        topic=Topic.objects.get(name="绿色低碳"),
    )
    zhang = InstructorFactory(
        institution=world.b.organisation,
        name="张明华",
        title="研究员",
        affiliation="省应急管理研究院",
        bio="长期从事应急管理研究。",
    )
    listed(
        world,
        world.b,
        title="应急管理基础知识与实务",
        summary="突发事件应对的基本知识。",
        topic=Topic.objects.get(name="应急管理"),
        instructors=[zhang],
    )
    for query, expected in [
        ("网络安全", ["网络安全法律法规解读"]),
        ("安全", ["网络安全法律法规解读"]),
        ("低碳", ["绿色低碳发展与碳达峰"]),
        ("张明华", ["应急管理基础知识与实务"]),
        ("乙培训学院", ["应急管理基础知识与实务"]),
        ("应急", ["应急管理基础知识与实务"]),
    ]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert titles(response) == expected, query

    nothing = client.get("/search/", {"q": "量子引力"})
    html = nothing.content.decode()
    assert titles(nothing) == [] and "没有找到相关课程" in html and "按专题浏览" in html


def test_returned_or_unpublished_courses_are_nowhere(world, client):
    returned = world.course(title="被退回的网络安全课程")
    submit(returned, world.a.editor)
    act(returned, world.reviewers["bureau"], "reject", comment="请修改")
    live = listed(world, title="已下架的网络安全课程")
    live.unpublish()
    draft_only = world.course(title="草稿网络安全课程")
    assert draft_only
    response = client.get("/search/", {"q": "网络安全"})
    assert titles(response) == []
    assert titles(client.get("/courses/public/")) == []


def test_only_the_current_credit_years_courses_are_listed(world, client):
    from credits.services import credit_year_get_or_create

    old = published(world, title="上一年度的课程")
    old.credit_years.set([credit_year_get_or_create(year=world.year.year - 1)])
    old.save_revision().publish()
    published(world, title="本年度的课程")
    assert titles(client.get("/courses/public/")) == ["本年度的课程"]


def test_filters_and_sorting(world, client):
    health = Industry.objects.get(name="卫生健康")
    digital = Topic.objects.get(name="数字技术")
    published(world, title="公需甲", credit_hours=Decimal("2.0"))
    published(world, title="公需乙", credit_hours=Decimal("1.0"), topic=digital)
    published(world, world.b, title="乙机构公需课")
    published(
        world, title="卫生专业课", subject=Subject.PROFESSIONAL, topic=None, industry=health, fee=5
    )
    published(world, title="会计课", subject=Subject.ACCOUNTING, topic=None)

    assert titles(client.get("/courses/public/")) == ["乙机构公需课", "公需乙", "公需甲"]
    by_hours = titles(client.get("/courses/public/", {"sort": "hours"}))
    assert by_hours == ["乙机构公需课", "公需甲", "公需乙"]  # 2.0, 2.0 (newer first), 1.0
    assert titles(client.get("/courses/public/", {"topic": digital.pk})) == ["公需乙"]
    assert titles(client.get("/courses/public/", {"hours": "1.0"})) == ["公需乙"]
    assert titles(client.get("/courses/public/", {"institution": world.b.page.pk})) == [
        "乙机构公需课"
    ]
    assert titles(client.get("/courses/professional/", {"industry": health.pk})) == ["卫生专业课"]
    assert titles(client.get("/courses/professional/", {"fee": "free"})) == []
    assert titles(client.get("/courses/professional/", {"fee": "paid"})) == ["卫生专业课"]
    assert titles(client.get("/courses/accounting/")) == ["会计课"]


def test_most_studied_first(world, client):
    from django.utils import timezone

    from player.models import CourseProgress
    from tests.factories import LearnerFactory

    courses = {title: published(world, title=title) for title in ("少人学", "多人学", "没人学")}
    for n in range(3):
        learner = LearnerFactory(username=f"popular{n}")
        for title in ("多人学",) if n else ("多人学", "少人学"):
            CourseProgress.objects.create(
                learner=learner, course=courses[title], started_at=timezone.now()
            )
    by_learners = titles(client.get("/courses/public/", {"sort": "popular"}))
    assert by_learners == ["多人学", "少人学", "没人学"]  # 3, 1, 0 (ties newest first)


@pytest.mark.parametrize(
    "params",
    [
        {"topic": "x", "hours": "abc", "sort": "hack"},
        {"hours": "NaN"},
        {"hours": "Infinity"},
        {"hours": "1e9999"},
        {"topic": "²"},
        {"industry": "①"},
        {"topic": "99999999999999999999"},
        {"institution": "99999999999999999999"},
        {"page": "99999999"},
        {"page": "-1"},
    ],
)
def test_malformed_filters_are_ignored_never_an_error(world, client, params):
    published(world, title="公需甲")
    response = client.get("/courses/public/", params)
    assert response.status_code == 200
    assert titles(response) == ["公需甲"]


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (site root paths, content types) first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_catalog_page_costs_the_same_queries_for_10_and_100_courses(world, client, settings):
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, "pages": dummy}
    from catalog import views

    views.PER_PAGE = 200  # every course on one page
    try:
        for number in range(10):
            published(world, title=f"课程{number}")
        ten = _queries(client, "/courses/public/")
        ten_popular = _queries(client, "/courses/public/?sort=popular")
        for number in range(10, 100):
            published(world, title=f"课程{number}")
        hundred = _queries(client, "/courses/public/")
        hundred_popular = _queries(client, "/courses/public/?sort=popular")
    finally:
        views.PER_PAGE = 12
    assert CoursePage.objects.live().count() == 100
    assert hundred == ten and hundred_popular == ten_popular


def test_anonymous_pages_are_cached_without_csrf_and_purged_on_publish(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        course = listed(world, title="第一门网络安全课程")
    first = client.get("/courses/public/")
    html = first.content.decode()
    assert "第一门网络安全课程" in html
    assert "csrfmiddlewaretoken" not in html and "csrftoken" not in first.cookies
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/courses/public/")
    assert again.content == first.content and len(queries) == 0  # served from the cache
    with CaptureQueriesContext(connection) as rendered:
        page = client.get(course.url)
    with CaptureQueriesContext(connection) as cached:
        again = client.get(course.url)
    # Served before Wagtail routes (config.page_cache.CachedPagesFirstMiddleware): no query at
    # all, and the other middlewares' headers still on it.
    assert again.content == page.content and len(rendered) > 0 and len(cached) == 0
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again.headers.get(header) == page.headers.get(header) is not None, header
    assert len(client.get(course.url + "?x=1").content) > 0  # a query string goes the usual way

    with django_capture_on_commit_callbacks(execute=True):
        listed(world, title="第二门网络安全课程")  # publishing purges, after the commit
    assert "第二门网络安全课程" in client.get("/courses/public/").content.decode()

    topic = Topic.objects.get(name="网络安全")
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "网络与数据安全"
        topic.save()  # a renamed topic: the cached cards and the search documents follow
    assert "网络与数据安全" in client.get("/courses/public/").content.decode()
    assert len(titles(client.get("/search/", {"q": "数据安全"}))) == 2

    with django_capture_on_commit_callbacks(execute=True):
        course.unpublish()  # withdrawn: the cached copy goes with it
    assert client.get(course.url).status_code == 404

    client.force_login(world.learner)  # a logged-in visitor never gets the anonymous copy
    mine = client.get("/courses/public/").content.decode()
    assert "退出" in mine and "csrfmiddlewaretoken" in mine


def test_only_validated_parameters_reach_the_cache(world, client, settings):
    # In-memory caches of their own for this test, so that their entries can be counted
    # whatever the suite runs on.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "d"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"},
    }
    from django.core.cache import caches

    course = listed(world, title="网络安全法律法规解读")
    pages = caches["pages"]

    client.get(course.url)
    after_course = len(pages._cache)
    assert after_course == 2  # the generation token and the page
    for number in range(5):
        assert client.get(course.url, {"junk": number}).status_code == 200
    assert len(pages._cache) == after_course  # unknown parameters: rendered, never stored

    client.get("/courses/public/", {"utm": "<b>x</b>", "sort": "hack"})
    shared = client.get("/courses/public/")  # the same validated key as the request above
    assert "utm" not in shared.content.decode() and "hack" not in shared.content.decode()
    client.get("/courses/public/", {"page": "21"})  # deep pages are not stored
    assert len(pages._cache) == after_course + 1
    assert not any("catalog:" in key for key in caches["default"]._cache)


def test_the_credit_year_turns_after_the_deadline():
    import datetime

    from credits.api import current_year

    assert current_year(datetime.date(2026, 12, 30)) == 2026
    assert current_year(datetime.date(2026, 12, 31)) == 2027
    assert current_year(datetime.date(2026, 12, 31), accounting=True) == 2026
    assert current_year(datetime.date(2027, 1, 1), accounting=True) == 2028 - 1


def test_search_normalises_full_width_and_splits_latin(world, client):
    listed(world, title="人工智能（ＡＩ）与Excel2019办公应用", summary="ISO9001 质量管理。")
    for query in ("AI", "ＡＩ", "excel", "2019", "ISO 9001"):
        assert titles(client.get("/search/", {"q": query})) == [
            "人工智能（ＡＩ）与Excel2019办公应用"
        ], query
    for query in ("%", "_", "'; --", "！！！", "安" * 500):
        assert client.get("/search/", {"q": query}).status_code == 200


def test_rebuild_course_search_restores_documents(world, client):
    import io

    from django.core.management import call_command

    course = listed(world, title="绿色低碳发展与碳达峰")
    CoursePage.objects.filter(pk=course.pk).update(search_document="")  # as before the column
    assert titles(client.get("/search/", {"q": "低碳"})) == []
    out = io.StringIO()
    call_command("rebuild_course_search", stdout=out)
    assert "已重建" in out.getvalue()
    assert titles(client.get("/search/", {"q": "低碳"})) == ["绿色低碳发展与碳达峰"]


def test_the_home_page_is_cached_for_visitors_and_personal_for_learners(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as rendered:
        client.get("/")  # fills the cache
    with CaptureQueriesContext(connection) as cached:
        anonymous = client.get("/").content.decode()
    # Served whole from the page cache: only Wagtail's routing to the page is left.
    assert len(cached) < len(rendered) and not any("catalog_noticepage" in q["sql"] for q in cached)
    hero = anonymous.split('<section class="hero">')[1].split("</section>")[0]
    assert "登录学习" in hero and "我的学习" not in hero
    client.force_login(world.learner)
    mine = client.get("/").content.decode()
    hero = mine.split('<section class="hero">')[1].split("</section>")[0]
    assert "我的学习" in hero and "登录学习" not in hero
    client.logout()
    assert "登录学习" in client.get("/").content.decode()  # the learner's copy was not cached
