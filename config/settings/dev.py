"""Local development: `make run` uses these settings (the embedded default unless told otherwise)."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

# Off by default: `make run` is how a small county may really run the site, and Django's debug
# pages list every URL and setting. A developer turns them on with DJANGO_DEBUG=1.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Development only: a key kept under var/ (git-ignored), made on first start.
if not SECRET_KEY:  # noqa: F405
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(64))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

# Development only: ID-number keys kept under var/ too.
if not ID_NUMBER_KEYS:  # noqa: F405
    from cryptography.fernet import Fernet

    _id_key_file = VAR_DIR / "id_number_key"
    if not _id_key_file.exists():
        _id_key_file.write_text(Fernet.generate_key().decode())
        _id_key_file.chmod(0o600)
    ID_NUMBER_KEYS = [_id_key_file.read_text().strip()]
if not ID_NUMBER_HASH_KEY:  # noqa: F405
    ID_NUMBER_HASH_KEY = SECRET_KEY + ":id-number-digest"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEMO_CONTENT_ALLOWED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# WhiteNoise serves from the finders here; an empty STATIC_ROOT keeps it from warning.
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Without a broker, transcode in a background thread of the server (media.tasks.video_asset_enqueue).
VIDEO_PROCESS_IN_THREAD = not REDIS_URL  # noqa: F405

# DESIGN.md §2: the demo and test profiles count one minute of video as one 学时.
CREDIT_MINUTES_PER_HOUR_DEFAULT = 1
CREDIT_MINUTES_PER_HOUR_MIN = 1
