"""Settings shared by every environment.

Everything that differs between machines comes from environment variables read through one
`env` reader. With none set, the platform runs on its embedded default: SQLite under var/, files
under var/, Celery tasks in-process and an in-memory channel layer (DESIGN.md §3). DATABASE_URL,
REDIS_URL and the AWS_* variables switch on PostgreSQL, Redis and S3 storage.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.smart_cast = False

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts",
    "catalog",
    "courses",
    "media.apps.MediaConfig",
    "player",
    "demo",
    "credits",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.users_app.ScopedUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "storages",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "captcha",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.consent.PrivacyConsentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.SiteAndAdminCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into accounts.login's answer
    "config.page_cache.CachedPagesFirstMiddleware",  # a view hook: anonymous pages before routing
]

# The player's HTTP API goes through a shorter stack (config.stacks, decision 0011): what a
# logged-in learner's JSON call needs. Not there, on purpose: static files (WhiteNoise), the
# language (one language; gettext answers in LANGUAGE_CODE), messages (JSON answers carry their
# own), the privacy-consent redirect (it exempts /api/), Wagtail's redirects, axes (login views
# only) and the page cache. Keep the order of MIDDLEWARE.
PLAYER_API_PREFIX = "/api/player/"
PLAYER_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",  # Content-Length, so keep-alive holds
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.audit.AuditContextMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.SiteAndAdminCSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Threads an ASGI process gives its websockets' database work (player.consumers.db_call): each
# keeps a pooled connection (for up to 30 s of use), so keep it below DATABASE_POOL_MAX, which the
# process's pages and pushes share.
PLAYER_SOCKET_THREADS = env.int("PLAYER_SOCKET_THREADS", default=6)
# Connections of an ASGI process's event loop for the websockets' common heartbeat
# (player.loop_db), on top of the pool's: PostgreSQL's max_connections must allow
# DATABASE_POOL_MAX + this per process. 0 sends every heartbeat to the threads.
PLAYER_SOCKET_LOOP_CONNECTIONS = env.int("PLAYER_SOCKET_LOOP_CONNECTIONS", default=4)
# PostgreSQL with Django's own connection pool when DATABASE_URL is set; otherwise SQLite in WAL
# mode with IMMEDIATE transactions, so that concurrent writers queue instead of failing.
if env.str("DATABASE_URL", default=""):
    _db = env.db_url("DATABASE_URL")
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        # Only config.db.hot_cursor's server-binding cursors prepare (Django's bind on the client).
        _db.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
        _db["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.IdentityPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SESSION_ENGINE = "accounts.sessions"  # Django's database store, read by a prepared statement
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_SITE_NAME = "安阳市专业技术人员继续教育平台"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no foreign services (DESIGN.md §3)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "jpeg", "png"]
# Documents always pass through the permission check of accounts.documents (never a redirect to
# a storage URL that would outlive it) and always download as attachments.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Approving a listing publishes the course with the lesson and instructor versions that were
# checked on submission (catalog/listing.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "catalog.workflow_finish.listing_workflow_finish"
WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH = True
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"
WAGTAILEMBEDS_FINDERS = []  # oEmbed providers are foreign services

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # A private bucket: every read goes through a short-lived signed URL.
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Redis, Celery, Channels ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# Transcoding a several-gigabyte lecture is the longest task we run.
CELERY_LONGEST_TASK_SECONDS = env.int("CELERY_LONGEST_TASK_SECONDS", default=4 * 3600)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS - 300
# A task that is not acknowledged within this time is handed to another worker: it must be
# longer than the longest task, or a long transcode would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONGEST_TASK_SECONDS + 3600}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TRANSCODE_QUEUE = "transcode"
CELERY_TASK_ROUTES = {"media.tasks.*": {"queue": CELERY_TRANSCODE_QUEUE}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.ResilientRedisChannelLayer",  # outages cost pushes
            "CONFIG": {
                # redis-py 8 stops reading after 5 s by default, and channels-redis blocks for
                # exactly 5 s while a socket is idle: without a longer timeout every quiet
                # websocket is dropped (tests/test_services.py proves it).
                # A blocking pool (config.channel_layer): a burst waits for a connection.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "max_connections": env.int("CHANNELS_REDIS_MAX_CONNECTIONS", default=50),
                        "pool_timeout": env.float("CHANNELS_REDIS_POOL_TIMEOUT", default=10.0),
                    }
                ],
                "prefix": env.str("CHANNELS_PREFIX", default="asgi"),
            },
        }
    }
    # config.cache: a Redis error is a miss, never a 500 (DESIGN.md §5).
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="anyang"),
        },
        # Whole anonymous pages (config/page_cache.py): their own keys, bounded by their timeout.
        "pages": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": env.str("PAGES_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="anyang") + "-pages",
        },
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }

# --- Video tools ----------------------------------------------------------------------------
# Debian's ffmpeg + ffprobe where installed; otherwise the ffmpeg of the imageio-ffmpeg wheel,
# which has no ffprobe, so probing falls back to `ffmpeg -i` (DESIGN.md §3).
FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="")
FFPROBE_BINARY = env.str("FFPROBE_BINARY", default="")

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Where video and uploads are fetched from the browser directly (S3 or CDN origin).
STORAGE_ORIGINS = env.list("STORAGE_ORIGINS", default=[])

# The site: no inline scripts or styles; everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *STORAGE_ORIGINS],
        "media-src": ["'self'", "blob:", *STORAGE_ORIGINS],
        "connect-src": ["'self'", *STORAGE_ORIGINS],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# The Wagtail admin (under /admin/) still relies on inline scripts and styles of its own (its
# templates embed configuration in <script> tags and its rich-text editor sets styles), so it gets
# a policy of its own: the same origins, plus 'unsafe-inline' for scripts and styles. Staff pages
# are behind login; learners never load them. See docs/decisions/0003-content-security-policy.md.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *STORAGE_ORIGINS],
        "media-src": ["'self'", "blob:", *STORAGE_ORIGINS],
        "connect-src": ["'self'", *STORAGE_ORIGINS],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "frame-src": ["'self'"],
    }
}
ADMIN_URL_PREFIX = "/admin/"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# --- The site's filing numbers default (editable in the admin under 设置 → 网站备案) -----
SITE_NAME = "安阳市专业技术人员继续教育平台"
ICP_RECORD_URL = "https://beian.miit.gov.cn/"
POLICE_RECORD_URL = "https://beian.mps.gov.cn/#/query/webSearch"

# Demo content (`make run`): refused under production settings.
DEMO_CONTENT_ALLOWED = False
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Anyang-demo-2025")

# --- Personal data --------------------------------------------------------------------------
# ID numbers: Fernet keys, newest first (rotation: prepend a new key, run `manage.py
# rotate_id_keys`, then drop the old one), and the key of the lookup digest (never changes).
ID_NUMBER_KEYS = env.list("ID_NUMBER_KEYS", default=[])
ID_NUMBER_HASH_KEY = env.str("ID_NUMBER_HASH_KEY", default="")
PRIVACY_NOTICE_VERSION = "2025-1"

# --- Login security ---------------------------------------------------------------------------
# The accounts issue, "Login security": see accounts/login.py, accounts/backends.py and
# accounts/middleware.py. ID number or phone (staff: username) plus password; failures counted per
# ACCOUNT in the database by django-axes; a CAPTCHA after 3, a 30-minute lock after 5; a limit per
# address on top; idle expiry on the server; every outcome in the audit log.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # axes' AxesStandaloneBackend: must come first
    "accounts.backends.IdentifierBackend",
]

AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours: 30 minutes
AXES_RESET_ON_SUCCESS = True
# Lock by account only: one key per account however the person identified themselves, and a keyed
# digest for identifiers that name no account, so nothing typed is stored. The per-address limit
# below (in the cache) takes the place of axes' address lockout, which would lock out whole
# offices behind one NAT address (hence axes.W006 silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.login.lockout_response"
# A lock lasts 30 minutes from the failure that caused it; refused tries do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "captcha_1", "csrfmiddlewaretoken"]
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已锁定 30 分钟，请稍后再试或联系单位/人社局解锁"
AXES_ENABLE_ADMIN = False
# Client addresses: behind N trusted reverse proxies set TRUSTED_PROXY_COUNT=N, and the address is
# read from X-Forwarded-For; with none (the default) REMOTE_ADDR is the client.
_trusted_proxies = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = _trusted_proxies or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if _trusted_proxies else ("REMOTE_ADDR",)
)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LOGIN_CAPTCHA_AFTER_FAILURES = 3
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_WINDOW = 15 * 60  # seconds

CAPTCHA_CHALLENGE_FUNCT = "accounts.login.captcha_challenge"
# Large, upright, lightly speckled digits: readable at a glance (two of three of the old codes
# were misread), with the spoken code beside them (accounts.speech).
CAPTCHA_IMAGE_SIZE = (170, 56)
CAPTCHA_FONT_SIZE = 40
CAPTCHA_LETTER_ROTATION = (-12, 12)
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
CAPTCHA_FILTER_FUNCTIONS: tuple = ()
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_2X_IMAGE = False

# Idle expiry (accounts.middleware): 30 minutes without activity ends the login; activity is
# written to the session at most once a minute. Heartbeats under the passive paths count only
# when the player says the tab is visible (activity_touch).
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ACTIVITY_REFRESH = 60
SESSION_IDLE_PASSIVE_PATHS = ("/api/player/", "/ws/", "/media/videos/", "/media-signed/")
# The cookie lasts for the browser session; the row behind it for 12 hours after its last write
# (activity writes it every minute). Whatever is done, a login ends 12 hours after it began
# (accounts.middleware.session_end_reason, on HTTP and the websocket alike). Logout ends all of a
# user's sessions by raising their session generation (accounts.login.sessions_end_all).
SESSION_COOKIE_AGE = 12 * 3600
SESSION_ABSOLUTE_LIFETIME = 12 * 3600

# --- Text messages (accounts/sms.py) --------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.ConsoleSmsBackend")
# Course fees: offline payment confirmed by the institution (courses/payment.py).
PAYMENT_BACKEND = env.str("PAYMENT_BACKEND", default="courses.payment.ConsolePaymentBackend")
PASSWORD_RESET_CODE_TTL = 10 * 60  # seconds a code is valid
PASSWORD_RESET_MAX_TRIES = 5  # wrong codes before the code is void
PASSWORD_RESET_PHONE_INTERVAL = 60  # seconds between two codes to one phone
PASSWORD_RESET_ADDRESS_LIMIT = 10  # codes asked for from one address per hour

# --- Courseware video (media/) --------------------------------------------------------------
VIDEO_LADDER = [int(h) for h in env.list("VIDEO_LADDER", default=["360", "540", "720"])]
VIDEO_MAX_UPLOAD_BYTES = env.int("VIDEO_MAX_UPLOAD_BYTES", default=8 * 1024**3)
VIDEO_UPLOAD_PART_BYTES = 64 * 1024**2  # multipart part size (S3 allows 5 MB – 5 GB, 10,000 parts)
VIDEO_STUCK_AFTER_SECONDS = CELERY_LONGEST_TASK_SECONDS + 1800
VIDEO_PLAYLIST_GRACE_SECONDS = 2 * 3600  # signed URLs live for the video's duration plus this
CELERY_BEAT_SCHEDULE["media-requeue-stuck"] = {
    "task": "media.tasks.video_assets_requeue_stuck",
    "schedule": 600.0,
}

# --- Credit years (DESIGN.md §2) -------------------------------------------------------------
# Minutes of online video per 学时. The notice does not say; 45 is assumed and production refuses
# less. The demo and test profiles use 1 so that clips of seconds earn real hours.
CREDIT_MINUTES_PER_HOUR_DEFAULT = 45
CREDIT_MINUTES_PER_HOUR_MIN = 45
