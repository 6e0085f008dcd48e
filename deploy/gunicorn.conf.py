"""gunicorn for one app node, behind nginx (deploy/nginx-site.conf.template).

Sync workers, one per core plus one: the site is CPU-bound (searching and rendering), and nginx
in front buffers slow clients, so a worker is never held by a slow phone. No access log here:
the app writes its own request log without personal data (catalogue/requestlog.py).
"""

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
# Headers from nginx on this host only (X-Forwarded-For/-Proto); the app trusts one proxy
# (CATALOGUE_TRUSTED_PROXIES=1) through Werkzeug's ProxyFix.
forwarded_allow_ips = "127.0.0.1,::1"
limit_request_line = 4094
limit_request_fields = 50
