"""Running the view: one uvicorn process on a socket bound here, so `--port 0` works (the real
port is printed) and a port already in use is a one-line error rather than a traceback."""
from __future__ import annotations

import ipaddress
import socket
import sys

import uvicorn

from web.app import create_app
from web.settings import WebSettings


class ServeError(ValueError):
    """The view cannot start (address in use, unknown host); one line."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(settings: WebSettings, host: str, port: int, *, access_log: bool = True) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM)."""
    sock = listen(host, port)
    if not is_loopback(host):
        print(f"wirewatch serve: listening on {host}, not only this machine: anyone who can reach it can read "
              "the whole archive and run SQL on it (see README, Web view)", file=sys.stderr)
    if not settings.archive.exists():
        print(f"wirewatch serve: no archive at {settings.archive_path} yet; pages will say so until one is "
              "written", file=sys.stderr)
    print(f"wirewatch serve: {url_of(sock)} (archive {settings.archive_path}, read-only; Ctrl-C stops)",
          flush=True)
    config = uvicorn.Config(create_app(settings), log_level="info", access_log=access_log,
                            server_header=False, proxy_headers=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
