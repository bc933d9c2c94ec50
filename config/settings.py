"""Settings, read from the environment (12-factor). See `.env.example` for every variable.

`DJANGO_ENV` picks the defaults: `production` (the default: DEBUG off, secure cookies, required
settings checked at start-up), `development` or `test`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
logger = logging.getLogger("config")

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

RUNNING_TESTS = "pytest" in sys.modules or env.str("DJANGO_ENV", default="") == "test"
DJANGO_ENV = env.str("DJANGO_ENV", default="test" if RUNNING_TESTS else "production")
if env.bool("DJANGO_DEBUG", default=False) and DJANGO_ENV == "production" and "DJANGO_ENV" not in env:
    DJANGO_ENV = "development"
IS_PRODUCTION = DJANGO_ENV == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=DJANGO_ENV == "development")

# --- required settings --------------------------------------------------------------------------
_missing: list[str] = []
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if IS_PRODUCTION:
        _missing.append("SECRET_KEY")
    SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - only outside production
if IS_PRODUCTION and "DATABASE_URL" not in env:
    _missing.append("DATABASE_URL")
if IS_PRODUCTION and "PLATFORM_DOMAIN" not in env:
    _missing.append("PLATFORM_DOMAIN")
if _missing:
    raise ImproperlyConfigured(
        "Missing required production settings: "
        + ", ".join(_missing)
        + ". Set them in the environment (see .env.example), or set DJANGO_ENV=development for local use."
    )

# --- domains and routing --------------------------------------------------------------------------
# Marketplaces live at <slug>.<PLATFORM_DOMAIN>; the platform's own site at PLATFORM_DOMAIN itself.
PLATFORM_DOMAIN = env.str("PLATFORM_DOMAIN", default="localhost").lower()
PLATFORM_NAME = env.str("PLATFORM_NAME", default="Marketplace Cloud")
# Port appended to generated URLs (development serves on :8000; production behind a proxy on 443).
PUBLIC_PORT = env.str("PUBLIC_PORT", default="" if IS_PRODUCTION else "8000")
PUBLIC_SCHEME = env.str("PUBLIC_SCHEME", default="https" if IS_PRODUCTION else "http")
# Custom domains are verified per tenant, so every host is accepted here and the tenant
# middleware decides; an unknown host gets the neutral 404 page.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
# X-Forwarded-Host is only trusted when the proxy in front of us is trusted to set it.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
if env.bool("TRUST_PROXY_HTTPS", default=IS_PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- apps -----------------------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "billing",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / ReDoc assets served by us, not a CDN
    "django_htmx",
    "web",  # the web pages' shared layout, template tags and static files
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "accounts",
    "knox",
    "marketplace.audit",
    "marketplace.configuration",
    "marketplace.catalogue",
    "marketplace.providers",
    "marketplace.search",
    "marketplace.bookings",
    "marketplace.payments",
    "marketplace.invoicing",
    "marketplace.reviews",
    "marketplace.disputes",
    "marketplace.messaging",
    "marketplace.notifications",
    "branding",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# Every new tenant schema is cloned from this migrated, non-routable template schema.
TENANT_TEMPLATE_SCHEMA = env.str("TENANT_TEMPLATE_SCHEMA", default="_template")
TENANT_BASE_SCHEMA = TENANT_TEMPLATE_SCHEMA
# One SET search_path per tenant switch instead of one per cursor.
TENANT_LIMIT_SET_CALLS = True
# How long a process trusts its cached host -> tenant lookup (seconds).
TENANT_ROUTING_CACHE_SECONDS = env.float("TENANT_ROUTING_CACHE_SECONDS", default=5.0)
# Pre-cloned schemas kept ready so a new marketplace is a rename, not a clone (0 = always clone).
TENANT_SCHEMA_POOL_SIZE = env.int("TENANT_SCHEMA_POOL_SIZE", default=0 if RUNNING_TESTS else 3)
# Periodic per-tenant jobs are spread over this many seconds so they don't all start at once.
PERIODIC_JITTER_SECONDS = env.float("PERIODIC_JITTER_SECONDS", default=60.0)
# Days a closed marketplace is kept before its schema is dropped.
TENANT_RETENTION_DAYS = env.int("TENANT_RETENTION_DAYS", default=30)
# One-time sign-in links (an operator opening its new marketplace, platform staff starting a support
# session) work for this many seconds; a support session lasts at most SUPPORT_SESSION_MINUTES.
SIGNIN_LINK_SECONDS = env.int("SIGNIN_LINK_SECONDS", default=300)
SUPPORT_SESSION_MINUTES = env.int("SUPPORT_SESSION_MINUTES", default=60)
# DNS servers asked when verifying custom domains: comma-separated host[:port] (empty: the system's
# resolvers), and the seconds one lookup may take (tenants/dns.py).
DNS_RESOLVER_NAMESERVERS = env.str("DNS_RESOLVER_NAMESERVERS", default="")
DNS_RESOLVER_TIMEOUT = env.float("DNS_RESOLVER_TIMEOUT", default=3.0)
# Days a marketplace may stay past due (unpaid, still online, reminded) before it is suspended.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)
# Live updates (server-sent events through Redis): how long one stream lasts before the browser
# reconnects, and how often an idle stream sends a keep-alive comment.
LIVE_STREAM_SECONDS = env.float("LIVE_STREAM_SECONDS", default=55)
LIVE_KEEPALIVE_SECONDS = env.float("LIVE_KEEPALIVE_SECONDS", default=15)
# Who collects subscription invoices: "local" (the platform's own invoices, test cards and recorded
# transfers) or "stripe" (Stripe Billing, with STRIPE_API_KEY and STRIPE_BILLING_WEBHOOK_SECRET).
BILLING_PROVIDER = env.str("BILLING_PROVIDER", default="local")
STRIPE_BILLING_WEBHOOK_SECRET = env.str("STRIPE_BILLING_WEBHOOK_SECRET", default="")
# Tax the platform adds to its invoices (basis points of the net; 2000 = 20 %) and what it is called.
BILLING_TAX_RATE_BPS = env.int("BILLING_TAX_RATE_BPS", default=0)
BILLING_TAX_LABEL = env.str("BILLING_TAX_LABEL", default="VAT")
# Days a contract (invoiced) marketplace has to pay an invoice.
BILLING_INVOICE_TERMS_DAYS = env.int("BILLING_INVOICE_TERMS_DAYS", default=14)
# Slugs that can never name a marketplace (they are hosts or paths of the platform itself).
TENANT_RESERVED_SLUGS = {
    "www",
    "api",
    "admin",
    "static",
    "media",
    "app",
    "mail",
    "smtp",
    "ftp",
    "cdn",
    "assets",
    "help",
    "support",
    "status",
    "docs",
    "blog",
    "public",
    "platform",
    "billing",
    "dashboard",
    "auth",
    "login",
    "signup",
    "account",
    "accounts",
    "localhost",
    "template",
    "root",
    "system",
    "information_schema",
}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

MIDDLEWARE = [
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.TenantStatusMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "web.middleware.MarketplaceLanguageMiddleware",
    "web.middleware.ViewerTimeZoneMiddleware",
]

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tenants.context_processors.tenant",
                "web.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:55432/marketplace"),
}
DATABASES["default"]["ENGINE"] = "tenants.db_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: the tenant key function on every alias -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
_cache_options = {"KEY_FUNCTION": "tenants.cache.make_key"}
if REDIS_URL and DJANGO_ENV != "test":  # tests use in-process caches (the Redis test builds its own)
    CACHES = {
        alias: {"BACKEND": "tenants.cache.RedisCache", "LOCATION": REDIS_URL, **_cache_options}
        for alias in ("default", "renditions")
    }
else:
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias, **_cache_options}
        for alias in ("default", "renditions")
    }

# --- sessions, cookies, security --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_DOMAIN = None  # host-only: a marketplace's session is never sent to another host
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=IS_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_PRODUCTION else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if RUNNING_TESTS:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The product's own translations (German, French, Spanish): locale/<lang>/LC_MESSAGES/django.po, with
# the compiled .mo committed next to it. A string without a translation reads in English.
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- static and media -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
# Never served by URL: verification documents and other private files, per tenant.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / ".data" / "private")
# Largest accepted upload for verification documents, in bytes.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Largest accepted listing image, in bytes.
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
MESSAGES_PER_MINUTE = env.int("MESSAGES_PER_MINUTE", default=20)  # per sender, in conversations; more → 429
# Files always live under one prefix per tenant (the schema name): see tenants/storage.py.
AWS_STORAGE_BUCKET_NAME = env.str("S3_BUCKET", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("S3_REGION", default=None)
    AWS_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    _default_storage = "tenants.storage.TenantS3Storage"
else:
    _default_storage = "tenants.storage.TenantFileSystemStorage"
# Uploaded public files on local disk are served by the application (each marketplace only its own);
# put a CDN or the proxy's file server in front in production, or use S3.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)
# Development and the browser tests serve static files straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or DJANGO_ENV == "test"
STORAGES = {
    "default": {"BACKEND": _default_storage},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- email ------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"no-reply@{PLATFORM_DOMAIN}")

# --- search, payments (adapters arrive with their issues; settings are read here) --------------------
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="postgres")  # postgres | opensearch
# The platform's transaction fee on each release, in basis points (set by the marketplace's plan once
# billing lands; until then one setting for every marketplace).
PLATFORM_FEE_BPS = env.int("PLATFORM_FEE_BPS", default=200)
# Online sessions get a room under this address (a Jitsi-style server; no API call is made).
MEETING_BASE_URL = env.str("MEETING_BASE_URL", default="https://meet.jit.si/")
OPENSEARCH_URL = env.str("OPENSEARCH_URL", default="")
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="local")  # local | stripe
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # a local fake Stripe server in tests
# Checkout pages take cards with Stripe Elements (js.stripe.com) when PAYMENT_GATEWAY=stripe and this is
# set; otherwise they show the built-in test processor's card form.
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
# The smallest payout a provider can ask for, in minor units of the marketplace's currency.
PAYOUT_MINIMUM = env.int("PAYOUT_MINIMUM", default=1000)
# Where the daily reconciliation sends mismatches for the platform's staff (marketplace admins get them too).
PAYMENTS_ALERT_EMAIL = env.str("PAYMENTS_ALERT_EMAIL", default=f"payments-alerts@{PLATFORM_DOMAIN}")

# --- Celery -------------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 3600
# Without Redis (development) tasks run in-process; tests run them in-process too, except the
# integration tests that start a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=(not REDIS_URL and not IS_PRODUCTION) or DJANGO_ENV == "test"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Periodic jobs: one dispatcher per job that fans out one task per ready tenant (tenants/tasks.py).
CELERY_BEAT_SCHEDULE = {
    "tenants.purge_closed": {
        "task": "tenants.dispatch_periodic",
        "schedule": 3600.0,
        "kwargs": {"job": "tenants.purge_closed_tenants", "per_tenant": False},
    },
    "tenants.refill_schema_pool": {
        "task": "tenants.refill_schema_pool",
        "schedule": 300.0,
    },
    "tenants.recheck_domains": {
        # Platform-wide: pending custom domains whose next DNS check is due (every 10 minutes in
        # their first hour, hourly after that, for 7 days).
        "task": "tenants.recheck_domains",
        "schedule": 300.0,
    },
    "accounts.expire_invitations": {
        "task": "tenants.dispatch_periodic",
        "schedule": 3600.0,
        "kwargs": {"job": "accounts.expire_invitations"},
    },
    "bookings.run_timers": {
        "task": "tenants.dispatch_periodic",
        "schedule": 60.0,
        "kwargs": {"job": "bookings.run_timers", "jitter": 10},
    },
    "bookings.send_reminders": {
        "task": "tenants.dispatch_periodic",
        "schedule": 300.0,
        "kwargs": {"job": "bookings.send_reminders", "jitter": 30},
    },
    "bookings.sync_calendars": {
        "task": "tenants.dispatch_periodic",
        "schedule": 900.0,
        # Every 15 minutes, spread over 5 so the feeds' hosts are not all asked at once.
        "kwargs": {"job": "bookings.sync_calendars", "jitter": 300},
    },
    "payments.pay_out_scheduled": {
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=6, minute=0),
        "kwargs": {"job": "payments.pay_out_scheduled", "jitter": 600},
    },
    "disputes.run_timers": {
        "task": "tenants.dispatch_periodic",
        "schedule": 300.0,
        "kwargs": {"job": "disputes.run_timers", "jitter": 60},
    },
    "notifications.send_digests": {
        # The daily digest of the notifications people chose to receive once a day.
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"job": "notifications.send_digests", "jitter": 1800},
    },
    "reviews.reveal_due": {
        # Reviews whose window closed without the other side's are revealed.
        "task": "tenants.dispatch_periodic",
        "schedule": 300.0,
        "kwargs": {"job": "reviews.reveal_due", "jitter": 60},
    },
    "reviews.recompute_levels": {
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=4, minute=0),
        "kwargs": {"job": "reviews.recompute_levels", "jitter": 600},
    },
    "payments.reconcile": {
        # Yesterday's money, once the processor's day has closed.
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=3, minute=30),
        "kwargs": {"job": "payments.reconcile", "jitter": 600},
    },
    "billing.record_usage": {
        # Each marketplace's usage month so far, kept for history and the platform's console.
        "task": "tenants.dispatch_periodic",
        "schedule": 3600.0,
        "kwargs": {"job": "billing.record_usage", "jitter": 600},
    },
    "billing.measure_storage": {
        # Each marketplace's files, walked and summed: corrects the upload counter once a day.
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=2, minute=15),
        "kwargs": {"job": "billing.measure_storage", "jitter": 1800},
    },
    "billing.retry_webhook_events": {
        # Platform-wide: billing provider events that arrived before their invoice was committed.
        "task": "tenants.dispatch_periodic",
        "schedule": 600.0,
        "kwargs": {"job": "billing.retry_webhook_events", "per_tenant": False},
    },
    "billing.run_dunning": {
        # Platform-wide: unpaid trials and periods to past due, reminders, suspension after the grace
        # period, downgrades at the period's end. Idempotent, so a missed or doubled run is harmless.
        "task": "tenants.dispatch_periodic",
        "schedule": 3600.0,
        "kwargs": {"job": "billing.run_dunning", "per_tenant": False},
    },
}
if IS_PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("Missing required production setting: REDIS_URL (Celery broker and cache).")

# --- API --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.PlanAwareTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="30/min")},
}
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False, "TOKEN_LIMIT_PER_USER": 50}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PLATFORM_NAME} API",
    "DESCRIPTION": (
        "One API on every marketplace host (`<slug>.<platform domain>` or a custom domain) and on the "
        "platform host. Authenticate with `Authorization: Token <token>` from `POST /api/v1/auth/login/`; "
        "a token belongs to one marketplace. Errors share one shape: "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["cms.openapi.without_page_editor"],  # the page editor's own API is not ours
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "UserStatusEnum": "accounts.models.UserStatus",
        "TenantKindEnum": "tenants.models.TenantKind",
        "TenantStatusEnum": "tenants.models.TenantStatus",
        "BookingWorkflowEnum": "marketplace.configuration.models.BookingWorkflow",
        "ProviderStatusEnum": "marketplace.providers.models.ProviderStatus",
        "SignupStatusEnum": "tenants.models.SignupStatus",
        "DocumentKindEnum": "marketplace.providers.models.DocumentKind",
        "PayoutScheduleEnum": "marketplace.payments.models.PayoutSchedule",
        "PayoutStatusEnum": "marketplace.payments.models.PayoutStatus",
        "SubscriptionStatusEnum": "billing.models.SubscriptionStatus",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
    },
}

# --- Wagtail ------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = PLATFORM_NAME
WAGTAILADMIN_BASE_URL = f"{PUBLIC_SCHEME}://{PLATFORM_DOMAIN}"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# The page editor (/cms/, cms/access.py): signed in through the marketplace's own page; accounts,
# passwords and emails are managed there too; admins publish directly (no approval workflow); nothing
# calls out to wagtail.org.
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # avatars drawn locally, no third-party images
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # documents stream through /cms-documents/, from the tenant's prefix

# --- logging --------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Emails are unique per schema case-insensitively (a functional unique constraint on User), which
# the auth check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# pg_dump used to snapshot the template schema for cloning (found automatically when installed).
PG_DUMP_PATH = env.str("PG_DUMP_PATH", default="")
