"""gunicorn configuration for the QMS portal (`gunicorn -c deploy/gunicorn.conf.py qms.wsgi`).

Every value can be changed from the environment file (deploy/qms.env.example) without
editing this file. The reasons for each default:

- bind: a loopback address (or a private one only the proxy reaches). The portal trusts
  `TRUSTED_PROXY_COUNT` entries of X-Forwarded-For, so a client that reaches gunicorn
  directly could choose its address; only nginx may talk to it.
- workers x threads: threaded workers (gthread). Requests mostly wait on PostgreSQL, so
  4 threads per process keep a core busy; start with one process per core and add
  processes (on this machine or another) rather than threads when the CPU is saturated.
  Each thread may hold one database connection: keep workers x threads x web machines
  below PostgreSQL's max_connections minus the Celery workers' share.
- timeout 30 s: a request that takes longer is a bug or an import that should have gone
  to the worker (IMPORT_INLINE_MAX_ROWS); gunicorn kills the worker and logs it. Large
  work (imports, exports, sends) runs in Celery, so no page needs more.
- graceful_timeout 30 s: on reload or stop, requests in flight get this long to finish
  (systemd's TimeoutStopSec is longer).
- keepalive 5 s: nginx keeps upstream connections open (`keepalive` in the upstream
  block); a few seconds avoids a TCP handshake per request without holding threads.
- max_requests 2000 + jitter 200: each process is replaced after about 2000 requests, so
  a slow leak cannot grow without bound and processes do not all restart at once.
- forwarded_allow_ips: gunicorn itself trusts X-Forwarded-Proto only from the proxy.
- accesslog off: the portal writes one JSON line per request itself (qms/observability.py)
  with the request id, view, status and duration; gunicorn's own line would repeat it.
- Prometheus: with PROMETHEUS_MULTIPROC_DIR set, every worker process writes its metrics
  to that folder and /metrics adds them up; `child_exit` removes a dead worker's gauges.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "qms-web")
# Import the application once in the master, so workers start fast and share memory.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# The workers' heartbeat files in memory, not on a slow disk (a blocked disk would
# make gunicorn kill healthy workers).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108


def child_exit(server, worker):
    """A worker process ended: drop its live gauges from the shared metrics folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
