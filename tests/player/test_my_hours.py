"""学时查询 (/my/hours/): the figures are the ledger's, against the year's rules; public hours
above their minimum never fill the professional one; past years by a switch; the learner's own
entries only; and when short, the approved courses that would close the gap."""

import re
from decimal import Decimal

import pytest

from accounts.models import Industry
from courses.models import Subject
from credits.models import CreditCategory, CreditSource, CreditYear
from credits.services import credit_grant, credit_year_get_or_create
from tests.player.conftest import Player, publish

pytestmark = pytest.mark.django_db


def grant(learner, year, course, hours, category=None, key=None):
    category = category or (
        CreditCategory.PUBLIC if course.subject == Subject.PUBLIC else CreditCategory.PROFESSIONAL
    )
    credit_grant(
        learner=learner,
        year=year,
        category=category,
        hours=Decimal(hours),
        source=CreditSource.ONLINE_COURSE,
        source_key=key or f"course:{course.pk}:{year.year}",
        course=course,
    )


def meter(html: str, name: str) -> str:
    found = re.search(
        rf'data-meter="{name}">\s*<label[^>]*>[^<]*<span data-hours>([^<]+)</span>', html
    )
    return found.group(1) if found else ""


@pytest.fixture
def courses(world):
    health = Industry.objects.get(name="卫生健康")
    return {
        "public_a": publish(world, title="网络安全公需课"),
        "public_b": publish(world, title="应急管理公需课"),
        "professional": publish(
            world, title="医疗质量安全", subject=Subject.PROFESSIONAL, topic=None, industry=health
        ),
        "accounting": publish(world, title="会计实务", subject=Subject.ACCOUNTING, topic=None),
        "unfinished": publish(
            world,
            title="护理专业新进展",
            subject=Subject.PROFESSIONAL,
            topic=None,
            industry=health,
            credit_hours=Decimal("8.0"),
        ),
    }


def test_the_meters_are_the_ledgers_against_the_years_rules(world, courses, player, other_player):
    year = world.year
    last = credit_year_get_or_create(year=year.year - 1)
    learner = world.learner
    grant(learner, year, courses["public_a"], "20.0")
    grant(learner, year, courses["public_b"], "15.0")  # 35 public: 5 above the minimum
    grant(learner, year, courses["professional"], "40.0")
    grant(learner, year, courses["accounting"], "10.0")  # the 会计专区 counts as professional
    grant(learner, last, courses["public_a"], "12.0")
    grant(other_player.user, year, courses["professional"], "60.0", key="theirs")

    html = player.client.get("/my/hours/").content.decode()
    assert meter(html, "total") == "85.0"
    assert meter(html, "public") == "35.0" and meter(html, "professional") == "50.0"
    assert f"{year.year} 年度学时" in html
    # The 5 public hours above 30 do not fill the professional 60: 10 are missing, not 5.
    assert "专业科目还差 10.0 学时" in html and "公需科目还差" not in html
    assert "本年度学时要求已完成" not in html
    # The gap's courses: approved for the year, not yet completed, most 学时 first.
    gap = html.split("专业科目还差")[1].split("</section>")[0]
    assert "护理专业新进展" in gap and "医疗质量安全" not in gap
    # The ledger's lines, and nobody else's.
    for title in ("网络安全公需课", "应急管理公需课", "医疗质量安全", "会计实务"):
        assert title in html
    assert html.count("<tr><td>") == 4
    # The rules are the year's: the bureau raises the professional minimum, the page follows.
    CreditYear.objects.filter(pk=year.pk).update(required_professional=70)
    html = player.client.get("/my/hours/").content.decode()
    assert "专业科目还差 20.0 学时" in html and "不少于 70" in html

    # Last year by the switch: its own figures, no suggestions for a closed past.
    html = player.client.get(f"/my/hours/?year={last.year}").content.decode()
    assert meter(html, "total") == "12.0" and meter(html, "public") == "12.0"
    assert "还差" not in html and html.count("<tr><td>") == 1

    theirs = other_player.client.get("/my/hours/").content.decode()
    assert meter(theirs, "professional") == "60.0" and meter(theirs, "public") == "0.0"
    assert "网络安全公需课" not in theirs.split("学时记录")[1]


def test_a_year_met_says_so(world, courses, player):
    grant(world.learner, world.year, courses["public_a"], "30.0")
    grant(world.learner, world.year, courses["professional"], "60.0")
    html = player.client.get("/my/hours/").content.decode()
    assert "本年度学时要求已完成" in html and "还差" not in html
    assert "不结转" in html and "截止日期" in html


def test_bad_years_and_strangers(world, player, client):
    assert player.client.get("/my/hours/?year=abc").status_code == 404
    assert player.client.get("/my/hours/?year=1999").status_code == 404  # not one of theirs
    response = client.get("/my/hours/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    staff = Player(world.a.editor)
    html = staff.client.get("/my/hours/").content.decode()
    assert "本年度还没有学时记录" in html  # their own (none), never a learner's


def test_my_area_shows_what_i_study_what_i_completed_and_this_years_meter(
    world, player, other_player, clock
):
    studying = publish(world, lessons=2, title="正在学的课")
    finished = publish(world, title="学完的课")
    first, second = [lesson for lesson in studying.get_children().specific()]
    player.start(first)
    player.watch(clock, 0, 145)  # the first lesson complete
    player.start(second)
    player.watch(clock, 0, 30)
    player.start(finished.get_children().first().specific)
    player.watch(clock, 0, 145)  # the whole course: its 学时 written
    html = player.client.get("/my/").content.decode()
    block = html.split("正在学习")[1].split("</section>")[0]
    assert "正在学的课" in block and "已完成 1/2 讲" in block
    assert f'href="{second.url}">继续学习' in block  # the lesson I was on
    done = html.split("已学完的课程")[1].split("</section>")[0]
    assert "学完的课" in done and f"{world.year.year} 年度公需科目 2.0 学时" in done
    assert meter(html, "total") == "2.0"
    theirs = other_player.client.get("/my/").content.decode()
    assert "正在学的课" not in theirs and "还没有正在学习的课程" in theirs


def test_my_area_costs_the_same_few_queries_however_many_courses(
    world, player, clock, django_assert_max_num_queries
):
    for number in range(6):
        course = publish(world, lessons=2, title=f"课程{number}")
        player.start(course.get_children().first().specific)
        player.watch(clock, 0, 20)
    with django_assert_max_num_queries(20):
        html = player.client.get("/my/").content.decode()
    assert html.count("data-studying") == 6
