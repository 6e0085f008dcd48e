"""Writes the nginx server block for this site from nginx-site.conf.template.

    python deploy/render_nginx.py --node 127.0.0.1:8001 --node 10.0.0.2:8001 \
        --server-name hittasysselsattning.stockholm.se \
        --certificate /etc/ssl/certs/site.pem --certificate-key /etc/ssl/private/site.key \
        > /etc/nginx/sites-available/catalogue

The first node also serves the editors' desk (/redaktion): its content checkout is the one editors write.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from catalogue import CONTENT_SECURITY_POLICY  # noqa: E402  - one policy, for the app and for nginx


def security_headers(indent: str, referrer_policy: str = "no-referrer") -> str:
    policy = "; ".join(f"{directive} {sources}" for directive, sources in CONTENT_SECURITY_POLICY.items())
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": referrer_policy,
        "Strict-Transport-Security": "max-age=31536000",
    }
    return f"\n{indent}".join(f'add_header {name} "{value}" always;' for name, value in headers.items())


def render(nodes: list[str], listen: list[str], server_name: str, certificate: str, certificate_key: str,
           cache_dir: str, log_dir: str) -> str:  # fmt: skip
    template = (HERE / "nginx-site.conf.template").read_text(encoding="utf-8")
    values = {
        "NODES": "\n    ".join(f"server {node} max_fails=2 fail_timeout=10s;" for node in nodes),
        "DESK_NODE": f"server {nodes[0]};",  # the first node: its content checkout is the one editors write
        "LISTEN": "\n    ".join(f"listen {address} ssl http2;" for address in listen),
        "SERVER_NAME": server_name, "CERTIFICATE": certificate, "CERTIFICATE_KEY": certificate_key,
        "CACHE_DIR": cache_dir, "LOG_DIR": log_dir,
    }  # fmt: skip

    # ${NAME} is ours, $name is nginx's. The headers take the indentation of their line.
    template = re.sub(r"^( *)\$\{SECURITY_HEADERS\}$", lambda m: m.group(1) + security_headers(m.group(1)),
                      template, flags=re.MULTILINE)  # fmt: skip
    desk_headers = lambda m: m.group(1) + security_headers(m.group(1), "same-origin")  # noqa: E731
    template = re.sub(r"^( *)\$\{DESK_SECURITY_HEADERS\}$", desk_headers, template, flags=re.MULTILINE)
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)], template)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", action="append", required=True, help="an app node, host:port (repeat)")
    parser.add_argument("--listen", action="append", help="address to listen on (repeat); 443 and [::]:443")
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--certificate-key", required=True)
    parser.add_argument("--cache-dir", default="/var/cache/nginx/catalogue")
    parser.add_argument("--log-dir", default="/var/log/nginx")
    args = parser.parse_args()
    print(render(args.node, args.listen or ["443", "[::]:443"], args.server_name, args.certificate,
                 args.certificate_key, args.cache_dir, args.log_dir))  # fmt: skip


if __name__ == "__main__":
    main()
