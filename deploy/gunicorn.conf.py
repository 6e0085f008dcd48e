"""gunicorn for one app node, behind nginx (deploy/nginx-site.conf.template).

Sync workers, one per core plus one: the site is CPU-bound (searching and rendering), and nginx
in front buffers slow clients, so a worker is never held by a slow phone. No access log here:
the app writes its own request log without personal data (catalogue/requestlog.py).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("CATALOGUE_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("CATALOGUE_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
max_requests = 50000  # a worker is replaced now and then, so memory stays flat
max_requests_jitter = 5000
accesslog = None
errorlog = "-"
# The app believes X-Forwarded-For/-Proto from one proxy (CATALOGUE_TRUSTED_PROXIES=1, Werkzeug's
# ProxyFix), so a node's port must be reachable from nginx only: bind to loopback when nginx runs on
# the same host, or firewall the port to nginx's address (docs/operations.md).
limit_request_line = 4094
limit_request_fields = 50

# The app is made once, in the master, before the workers are forked: the modules, templates and
# word tables it loads (about 100 MB) are then shared by every worker instead of copied into each
# (bench/memory.py; BENCHMARKS.md, "Issue 23"). Each worker still opens its own index snapshot.
preload_app = True


def pre_fork(server, worker):
    """Objects made so far never change: keep the collector from touching (and so copying) their pages."""
    gc.freeze()


def post_fork(server, worker):
    """A worker never uses a database connection made in the master (nor the master one of a worker's)."""
    from catalogue.db import db

    with worker.app.wsgi().app_context():
        db.engine.dispose(close=False)
