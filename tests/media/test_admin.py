"""The video admin (/admin/videos/): each institution's editors see and edit only their own
assets, reviewers see every institution's read-only, anyone else nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from media.models import VideoAsset, VideoStatus
from tests.admin_refusals import admin_refused
from tests.factories import InstitutionFactory, VideoAssetFactory
from tests.media.people import (
    make_editor,
    make_learner,
    make_staff,
)

pytestmark = pytest.mark.django_db

INDEX = "/admin/videos/"


def page(asset) -> str:
    return f"/admin/videos/{asset.pk}/"


def edit(asset) -> str:
    return f"/admin/videos/{asset.pk}/edit/"


def retry(asset) -> str:
    return f"/admin/videos/{asset.pk}/retry/"


@pytest.fixture
def world():
    a = InstitutionFactory(name="甲培训学院")
    b = InstitutionFactory(name="乙培训中心")
    return {
        "a": a,
        "b": b,
        "editor_a": make_editor(a, "editor_a"),
        "editor_b": make_editor(b, "editor_b"),
        "asset_a": VideoAssetFactory(institution=a, title="甲院的第一讲"),
        "asset_b": VideoAssetFactory(
            institution=b,
            title="乙中心的第一讲",
            status=VideoStatus.FAILED,
            failure_reason="转码失败：测试",
        ),
    }


@pytest.fixture
def queued(monkeypatch):
    """Processing jobs queued by a retry (instead of transcoding in-process)."""
    calls = []
    monkeypatch.setattr("media.tasks.video_asset_process_task.delay", calls.append)
    return calls


def test_urls_are_where_the_uploader_and_menu_expect_them():
    assert reverse("media_videos:index") == INDEX
    assert reverse("media_videos:inspect", args=[7]) == "/admin/videos/7/"
    assert reverse("media_asset", args=[7]) == "/admin/videos/7/"
    assert reverse("media_upload").startswith("/admin/videos/upload/")


def test_an_editor_sees_only_their_institutions_assets(client, world):
    client.force_login(world["editor_a"])
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲院的第一讲" in html and "乙中心的第一讲" not in html
    assert "课件视频" in html  # the menu item
    assert reverse("media_upload") in html  # "add" is the uploader
    assert client.get(page(world["asset_a"])).status_code == 200
    # Another institution's asset does not exist for them, on any URL.
    assert client.get(page(world["asset_b"])).status_code == 404
    assert client.get(edit(world["asset_b"])).status_code == 404
    assert client.post(edit(world["asset_b"]), {"title": "改掉"}).status_code == 404
    assert client.post(retry(world["asset_b"])).status_code == 404
    world["asset_b"].refresh_from_db()
    assert world["asset_b"].title == "乙中心的第一讲"
    assert world["asset_b"].status == VideoStatus.FAILED


def test_the_index_search_and_filters_stay_in_scope(client, world):
    client.force_login(world["editor_a"])
    response = client.get(f"{INDEX}results/", {"status": VideoStatus.FAILED})
    assert response.status_code == 200
    assert "乙中心的第一讲" not in response.content.decode()


def test_the_asset_page_shows_status_progress_and_the_live_socket(client, world):
    processing = VideoAssetFactory(
        institution=world["a"],
        title="正在转码的一讲",
        status=VideoStatus.PROCESSING,
        progress=0.42,
        processing_started_at=timezone.now(),
    )
    client.force_login(world["editor_a"])
    html = client.get(page(processing)).content.decode()
    assert "转码中" in html and "42%" in html
    assert f'data-ws-path="/ws/media/assets/{processing.pk}/"' in html
    assert "media/asset.js" in html and 'type="module"' in html
    assert "data-asset-retry hidden" in html  # not stuck yet: no retry offered


def test_an_editor_changes_the_title_and_nothing_else(client, world):
    asset = world["asset_a"]
    before = VideoAsset.objects.values().get(pk=asset.pk)
    client.force_login(world["editor_a"])
    assert client.get(edit(asset)).status_code == 200
    response = client.post(
        edit(asset),
        {"title": "甲院的第一讲（修订）", "status": "failed", "institution": world["b"].pk},
    )
    assert response.status_code == 302 and response["Location"] == page(asset)
    after = VideoAsset.objects.values().get(pk=asset.pk)
    assert after["title"] == "甲院的第一讲（修订）"
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"title", "updated_at"}


def test_an_editor_retries_a_failed_asset(
    client, world, queued, django_capture_on_commit_callbacks
):
    asset = VideoAssetFactory(
        institution=world["a"], title="失败的一讲", status=VideoStatus.FAILED, failure_reason="坏了"
    )
    client.force_login(world["editor_a"])
    html = client.get(page(asset)).content.decode()
    assert "坏了" in html and "重新转码" in html and "data-asset-retry hidden" not in html
    assert client.get(retry(asset)).status_code == 405  # POST only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry(asset))
    assert response.status_code == 302 and response["Location"] == page(asset)
    asset.refresh_from_db()
    assert asset.status == VideoStatus.UPLOADED and asset.failure_reason == ""
    assert queued == [asset.pk]


def test_a_stuck_asset_may_be_retried_a_running_one_not(
    client, world, queued, settings, django_capture_on_commit_callbacks
):
    now = timezone.now()
    running = VideoAssetFactory(
        institution=world["a"],
        title="转码中",
        status=VideoStatus.PROCESSING,
        processing_started_at=now,
    )
    stuck = VideoAssetFactory(
        institution=world["a"],
        title="卡住的",
        status=VideoStatus.PROCESSING,
        processing_started_at=now
        - timezone.timedelta(seconds=settings.VIDEO_STUCK_AFTER_SECONDS + 60),
    )
    ready = world["asset_a"]
    client.force_login(world["editor_a"])
    with django_capture_on_commit_callbacks(execute=True):
        for asset in (running, stuck, ready):
            assert client.post(retry(asset)).status_code == 302
    assert queued == [stuck.pk]
    statuses = dict(VideoAsset.objects.values_list("title", "status"))
    assert statuses["转码中"] == VideoStatus.PROCESSING
    assert statuses["卡住的"] == VideoStatus.UPLOADED
    assert statuses["甲院的第一讲"] == VideoStatus.READY


@pytest.mark.parametrize("role", ["审核员", "人社局管理员"])
def test_reviewers_see_every_institution_read_only(client, world, queued, role):
    reviewer = make_staff(role, "reviewer")
    client.force_login(reviewer)
    html = client.get(INDEX).content.decode()
    assert "甲院的第一讲" in html and "乙中心的第一讲" in html
    assert "甲培训学院" in html and "乙培训中心" in html
    assert reverse("media_upload") not in html  # no upload for reviewers
    for asset in (world["asset_a"], world["asset_b"]):
        response = client.get(page(asset))
        assert response.status_code == 200
        body = response.content.decode()
        assert asset.title in body
        assert "重新转码" not in body and edit(asset) not in body
        assert admin_refused(client.get(edit(asset)))
        assert admin_refused(client.post(edit(asset), {"title": "x"}))
        assert admin_refused(client.post(retry(asset)))
    assert "转码失败：测试" in client.get(page(world["asset_b"])).content.decode()
    assert queued == []
    assert set(VideoAsset.objects.values_list("title", flat=True)) == {
        "甲院的第一讲",
        "乙中心的第一讲",
    }


def test_a_superuser_is_a_reviewer_too(client, world):
    from tests.factories import StaffUserFactory

    client.force_login(StaffUserFactory(username="root"))
    html = client.get(INDEX).content.decode()
    assert "甲院的第一讲" in html and "乙中心的第一讲" in html
    assert admin_refused(client.get(edit(world["asset_a"])))


def test_a_learner_gets_nothing(client, world):
    client.force_login(make_learner())
    for url in (INDEX, page(world["asset_a"]), edit(world["asset_a"])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(retry(world["asset_a"])).status_code == 302
    world["asset_a"].refresh_from_db()
    assert world["asset_a"].status == VideoStatus.READY


def test_other_staff_get_nothing(client, world):
    hr = make_staff("用人单位审核员", "hr")
    client.force_login(hr)
    assert "课件视频" not in client.get("/admin/").content.decode()
    assert admin_refused(client.get(INDEX))
    assert client.get(page(world["asset_a"])).status_code == 404


def test_an_editor_of_an_unapproved_institution_gets_nothing(client, world):
    a = world["a"]
    a.status = "pending"
    a.save(update_fields=["status"])
    client.force_login(world["editor_a"])
    assert client.get(page(world["asset_a"])).status_code == 404


def test_add_goes_to_the_uploader(client, world):
    client.force_login(world["editor_a"])
    response = client.get("/admin/videos/new/")
    assert response.status_code == 302 and response["Location"] == reverse("media_upload")
    client.force_login(make_staff("审核员", "reviewer"))
    assert client.get("/admin/videos/new/").status_code == 404


def test_the_permission_policy_names_the_same_people(world):
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(VideoAsset)
    reviewer = make_staff("审核员", "reviewer")
    make_learner()
    editors = {world["editor_a"], world["editor_b"]}
    assert set(policy.users_with_permission("change")) == editors
    assert set(policy.users_with_permission("view")) == editors | {reviewer}
    assert set(policy.users_with_permission("delete")) == set()
    asset_a = world["asset_a"]
    assert set(policy.users_with_permission_for_instance("change", asset_a)) == {world["editor_a"]}
    assert set(policy.users_with_permission_for_instance("view", asset_a)) == {
        world["editor_a"],
        reviewer,
    }
    assert policy.user_has_permission_for_instance(world["editor_a"], "change", asset_a)
    assert not policy.user_has_permission_for_instance(world["editor_b"], "view", asset_a)
    assert not policy.user_has_permission_for_instance(reviewer, "change", asset_a)
    assert list(policy.instances_user_has_permission_for(world["editor_b"], "view")) == [
        world["asset_b"]
    ]


def test_sizes_and_durations_read_as_people_read_them():
    """One formatter for the admin's pages and the uploader's messages (media/display.py)."""
    from media.display import duration_display, size_display

    assert size_display(700) == "700 字节"
    assert size_display(1536) == "1.5 KB"
    assert size_display(50 * 1024**2) == "50 MB"
    assert size_display(int(2.25 * 1024**3)) == "2.2 GB"
    assert duration_display(125.4) == "2:05"
    assert duration_display(3723) == "1:02:03"
