"""People and assets for the video admin, delivery and progress tests."""

from django.contrib.auth.models import Group

from accounts.institutions import institution_editor_add
from accounts.models import OrganisationKind
from media.models import VideoAsset, VideoStatus
from tests.factories import LearnerFactory, OrganisationFactory, UserFactory


def make_institution(name: str):
    return OrganisationFactory(kind=OrganisationKind.INSTITUTION, credit_code=None, name=name)


def make_editor(institution, username: str):
    user = UserFactory(username=username, real_name=f"{institution.name}编辑")
    institution_editor_add(institution=institution, user=user)
    return user


def make_staff(role: str, username: str):
    """A member of one role group (审核员, 人社局管理员, 用人单位审核员 ...)."""
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


def make_learner(username: str = "learner1"):
    return LearnerFactory(username=username)


def make_asset(institution, title: str, **fields) -> VideoAsset:
    fields.setdefault("status", VideoStatus.READY)
    asset = VideoAsset(institution=institution, title=title, original_name="lecture.mp4", **fields)
    asset.source_key = f"{asset.prefix}source.mp4"
    asset.save()
    return asset
