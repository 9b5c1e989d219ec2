"""ptce settings: one module, read from the environment, with safe defaults.

Every setting that differs between a laptop and a server comes from an environment variable
(see `.env.example`). `PTCE_ENV=production` turns on the strict security settings and
refuses to start without a real secret key.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PTCE_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PTCE_ENV = env("PTCE_ENV", "development")
PRODUCTION = PTCE_ENV == "production"
DEBUG = env_bool("PTCE_DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("PTCE_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("PTCE_SECRET_KEY must be set when PTCE_ENV=production.")

ALLOWED_HOSTS = env_list(
    "PTCE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("PTCE_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("PTCE_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "csp",
    "ptce.core",
    "ptce.territories",
    "ptce.actors",
    "ptce.poles",
    "ptce.cooperation",
    "ptce.pooling",
    "ptce.pooling.employees",
    "ptce.projects",
    "ptce.financing",
    "ptce.web",
    "ptce.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ptce.api.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ptce.urls"
WSGI_APPLICATION = "ptce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ptce.web.context_processors.platform",
            ],
        },
    },
]

# Databases: SQLite (WAL) under var/ by default; PostgreSQL through DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
_sqlite_path = VAR_DIR / "ptce.sqlite3"
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_sqlite_path),
            "OPTIONS": {
                # mmap: pages read in place from the OS cache rather than copied in by a
                # read() each (1 M organisations: a 20,000-hit name search 30 % faster).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; "
                    "PRAGMA mmap_size=1073741824;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Login throttling (django-axes): 5 failures per username and address, then 15 minutes.
AXES_ENABLED = env_bool("PTCE_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(env("PTCE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("PTCE_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Django's login form posts the e-mail as `username` (USERNAME_FIELD is "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Public subscriptions to financing campaigns (page and API): "N/sec|min|hour|day" per client
# address, by default 10 a minute.
_RATE_UNITS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_RATE_UNITS["day"] = _RATE_UNITS["d"] = 86400


def env_rate(name: str, default: str) -> tuple[int, int]:
    text = env(name, default).strip() or default
    count, _sep, unit = text.partition("/")
    try:
        limit, window = int(count), _RATE_UNITS[unit.strip().lower() or "min"]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"{name}={text!r}: expected a number of requests per sec, min, hour or day (10/min)."
        ) from None
    if limit < 1:
        raise ImproperlyConfigured(f"{name}={text!r}: the number of requests must be at least 1.")
    return limit, window


PTCE_SUBSCRIBE_RATE = env_rate("PTCE_SUBSCRIBE_RATE", "10/min")

# Languages: French interface by default, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "ptce" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
# Front-end libraries come from package registries (no CDN): Leaflet from xstatic-leaflet,
# htmx from django-htmx (PyPI); Cytoscape.js from npm (`make install` runs `npm ci`).
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("vendor/cytoscape", NODE_MODULES / "cytoscape" / "dist"),
]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# E-mail: printed on the console unless an SMTP host is given.
DEFAULT_FROM_EMAIL = env("PTCE_DEFAULT_FROM_EMAIL", "ptce <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("PTCE_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("PTCE_EMAIL_HOST")
    EMAIL_PORT = int(env("PTCE_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("PTCE_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env("PTCE_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("PTCE_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Map background: a tile URL template, configurable (an intranet may run its own server).
MAP_TILES_URL = env("PTCE_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env(
    "PTCE_MAP_TILES_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
_tiles = urlsplit(MAP_TILES_URL)
_TILE_SOURCES = [f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"] if _tiles.netloc else []

# Security headers: on everywhere, strict in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("PTCE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("PTCE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("PTCE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_TILE_SOURCES],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


# Cache: Django's local memory by default, one per process. PTCE_CACHE_URL
# (redis://host:6379/0, rediss://..., unix:///run/redis.sock) shares it between the processes
# of a server, so that the subscription rate limit (PTCE_SUBSCRIBE_RATE) holds across them.
def env_caches(name: str) -> dict[str, dict[str, str]]:
    url = env(name).strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"{name}={url!r}: expected a Redis address (redis://host:6379/0)."
        )
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env("PTCE_CACHE_PREFIX", "ptce"),
        }
    }


CACHES = env_caches("PTCE_CACHE_URL")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("PTCE_LOG_LEVEL", "WARNING")},
}

# The territory reference shipped with ptce (built by scripts/build_territories.py).
TERRITORIES_DATA_DIR = Path(
    env("PTCE_TERRITORIES_DATA_DIR", str(BASE_DIR / "ptce" / "territories" / "data"))
)

NINJA_PAGINATION_PER_PAGE = 50

# Governance: SCIC colleges may not hold less than 10 % of the votes (DOMAIN.md marks this
# rule as uncertain: it is a setting, on by default).
PTCE_COLLEGE_MIN_SHARE_RULE = env_bool("PTCE_COLLEGE_MIN_SHARE_RULE", True)
