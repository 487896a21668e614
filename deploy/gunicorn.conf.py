"""Gunicorn configuration for the Houqin web process.

Used by deploy/systemd/houqin-web.service:

    gunicorn -c /srv/houqin/deploy/gunicorn.conf.py

This is a plain Python file evaluated by the gunicorn master before any worker
starts. It must not import Django (settings are loaded by the workers).

Environment variables read here (all optional):
    HOUQIN_ROOT       code checkout, default /srv/houqin
    GUNICORN_BIND     listen address, default 127.0.0.1:8000 (nginx on the same host)
    WEB_CONCURRENCY   upper bound for the number of worker processes
    FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-*, default 127.0.0.1,::1
    LOG_LEVEL         gunicorn's own log level, default INFO (shared with Django)
"""

import multiprocessing
import os

ROOT = os.environ.get("HOUQIN_ROOT", "/srv/houqin").rstrip("/")

# --- Application ----------------------------------------------------------
# platform/ has no __init__.py on purpose (so it never shadows the stdlib
# "platform" module); both it and the repository root go on sys.path.
pythonpath = f"{ROOT}/platform,{ROOT}"
wsgi_app = "houqin.wsgi:application"
# The systemd unit sets this too; the default makes a manual run safe.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings.prod")
# Load the app in each worker, not in the master: HUP (systemctl reload)
# then picks up new code, and no DB connection is shared across fork().
preload_app = False

# --- Sockets ----------------------------------------------------------------
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Only these peers may set X-Forwarded-Proto/For (nginx runs on localhost).
# On a multi-host setup list the nginx hosts' addresses instead.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


# --- Workers ----------------------------------------------------------------
def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours CPU pinning / cpusets
    except AttributeError:  # not available on every platform
        return multiprocessing.cpu_count()


def _workers() -> int:
    wanted = 2 * _cpu_count() + 1
    cap = os.environ.get("WEB_CONCURRENCY", "").strip()
    if cap:
        wanted = min(wanted, max(1, int(cap)))
    return wanted


workers = _workers()
worker_class = "sync"  # nginx buffers slow clients, so sync workers suffice
timeout = 60  # a worker silent this long is killed and replaced
graceful_timeout = 30  # SIGTERM/HUP: time to finish in-flight requests
keepalive = 5
# Recycle workers now and then to contain slow memory growth; the jitter keeps
# them from all restarting at the same moment. A worker's start costs about
# 2.4 s of CPU (every app imported, the URLs resolved), so not often: a worker
# grew 146 MB -> 152 MB from its 1,000th request of the load mix to its
# 10,000th, while restarting every 1,000 requests spent a quarter of two cores
# on starts at 200 req/s and left its p95 in seconds (docs/benchmarks.md).
max_requests = 20000
max_requests_jitter = 2000
# Heartbeat files on tmpfs: a disk-backed /tmp can stall workers.
TMPFS = "/dev/shm"  # noqa: S108 - only worker heartbeat files go here, by design
if os.path.isdir(TMPFS) and os.access(TMPFS, os.W_OK):
    worker_tmp_dir = TMPFS

proc_name = "houqin-web"

# gunicorn >= 25 opens a control socket (default under $HOME, which is
# read-only under the systemd hardening). Put it in the unit's
# RuntimeDirectory when there is one. Older gunicorn ignores this setting.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")

# --- Logging (stdout/stderr -> journald) --------------------------------------
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
errorlog = "-"  # stderr
accesslog = "-"  # stdout
# One JSON object per request. gunicorn escapes double quotes in values but not
# backslashes or control characters, so a hostile URL can break a line; the
# nginx access log (escape=json) is the authoritative record.
# %({x-request-id}o)s is the X-Request-ID *response* header: nginx sends its
# $request_id upstream and Django echoes it, linking both logs.
access_log_format = (
    '{"logger":"gunicorn.access","time":"%(t)s","request_id":"%({x-request-id}o)s",'
    '"host":"%({host}i)s","remote_addr":"%(h)s","method":"%(m)s","path":"%(U)s",'
    '"query":"%(q)s","status":%(s)s,"bytes":"%(b)s","duration_ms":%(M)s,'
    '"referer":"%(f)s","user_agent":"%(a)s"}'
)
