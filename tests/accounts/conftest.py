import pytest

from tests.factories import LearnerFactory

LEARNER_ID_NUMBER = "11010519491231002X"
LEARNER_PHONE = "13812345678"
LEARNER_PASSWORD = "Correct-horse-42"


@pytest.fixture
def learner(db):
    """A learner who signs in with their ID number or phone."""
    user = LearnerFactory(phone=LEARNER_PHONE, id_number=LEARNER_ID_NUMBER)
    user.set_password(LEARNER_PASSWORD)
    user.save()
    return user
