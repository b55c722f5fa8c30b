"""Settings for the test suite: the embedded default, or the real services when the environment
names them (DATABASE_URL, REDIS_URL, AWS_STORAGE_BUCKET_NAME)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-key-not-used-anywhere-else-0123456789abcdefghijklmnop"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
ID_NUMBER_KEYS = [
    "9hVNpVG0DvCBlKk3uPYvj9fu5dsWm7Jv0nAYLcOVqsA=",  # test-only keys
    "ZmDfcTF7_60GrrY0kQ9lbnQ6EhvhVTaUUoDvc6Dqm0Y=",
]
ID_NUMBER_HASH_KEY = "test-only-digest-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real ASGI server started by a fixture can share it.
    # One file per test run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    # The pool keeps connections open across threads of the test ASGI server; tests are simpler
    # (and teardown can drop the database) without it.
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = VAR_DIR / "test-media"
DEMO_CONTENT_ALLOWED = True

# Tests run tasks in-process unless a test (the worker proof) sends one to a real worker.
CELERY_TASK_ALWAYS_EAGER = True
WHITENOISE_USE_FINDERS = True
# WhiteNoise serves from the finders here; an empty STATIC_ROOT keeps it from warning.
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
SMS_BACKEND = "accounts.sms.MemorySmsBackend"
PAYMENT_BACKEND = "courses.payment.MemoryPaymentBackend"
CAPTCHA_TEST_MODE = True  # the answer "passed" is accepted; real answers still work

# DESIGN.md §2: the demo and test profiles count one minute of video as one 学时.
CREDIT_MINUTES_PER_HOUR_DEFAULT = 1
CREDIT_MINUTES_PER_HOUR_MIN = 1
