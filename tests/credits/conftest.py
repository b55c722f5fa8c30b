from tests.courses.conftest import world  # noqa: F401
