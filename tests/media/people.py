"""People of each role for the video admin, delivery and progress tests (the assets and
institutions they work on are tests/factories.py's)."""

from django.contrib.auth.models import Group

from accounts.institutions import institution_editor_add
from tests.factories import LearnerFactory, UserFactory


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
