"""Production: PostgreSQL, Redis and S3 are required; HTTPS everywhere.

See .env.example for every variable; `manage.py check --deploy` passes with it.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import AWS_STORAGE_BUCKET_NAME, DATABASES, REDIS_URL, SECRET_KEY, env

DEBUG = False

if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random string of 50+ characters")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production needs DATABASE_URL pointing at PostgreSQL")
if not REDIS_URL:
    raise ImproperlyConfigured("Production needs REDIS_URL (Celery broker and channel layer)")
if not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("Production needs S3 storage (AWS_STORAGE_BUCKET_NAME and friends)")

if (
    not env.list("ID_NUMBER_KEYS", default=[])
    or len(env.str("ID_NUMBER_HASH_KEY", default="")) < 32
):
    raise ImproperlyConfigured(
        "Production needs ID_NUMBER_KEYS and a 32+ character ID_NUMBER_HASH_KEY"
    )

if env.str("TRUSTED_PROXY_COUNT", default="") == "":
    # Behind nginx every request would otherwise come from the proxy's address, and the
    # per-address login limit would block everyone at once.
    raise ImproperlyConfigured("Production needs TRUSTED_PROXY_COUNT (reverse proxies in front)")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
