"""`python -m sim.dashboard`: serve the dashboard from this machine, with no network needed.

Solara's page loads its front end through the local server, which answers from a cache filled
ahead of time by the `solara-assets` package and fetches anything missing from a CDN. The launcher
points that CDN at a closed loopback port, so a missing asset fails the same way at home as in a
classroom without internet instead of quietly depending on the network; it also turns off
Solara's telemetry, its PyPI version check and its 'solara.dev' check frame (production mode).
These settings are read when solara is first imported, hence environment variables set first.

Served to a room (`--host 0.0.0.0`), the server must not grow without bound: a closed tab's
session is culled after `--cull-after` seconds (Solara keeps it 24 h by default), sessions and
memory are capped (`sim.dashboard.sessions`), and Solara's `/resourcez` (server internals) is
only served with `--debug-endpoints`. A port already taken is said in one line (exit code 2).
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import warnings

from sim.dashboard.sessions import (
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_SESSIONS,
    MAX_MEMORY_ENV,
    MAX_SESSIONS_ENV,
)

# Port 9 (discard) on loopback: connection refused at once, never a wait on a missing network.
OFFLINE_CDN = "http://127.0.0.1:9/npm/"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# A closed tab comes back within this time if it was only a network hiccup or a reload.
DEFAULT_CULL_AFTER_S = 120
DEBUG_ROUTES = ("/resourcez",)
APP = "sim.dashboard.app"


def port_problem(host: str, port: int) -> str | None:
    """One line saying why the server cannot listen on host:port, or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"error: port {port} is already in use on {host} (another dashboard?); "
                        "choose another with --port, or --port 0 for any free port")
            return f"error: cannot listen on {host}:{port}: {exc.strerror}"
    return None


def drop_debug_routes() -> None:
    """Remove Solara's debug endpoints (server internals, session counts) from its app.

    Importing Solara's server loads the app named by SOLARA_APP, which `solara run` would set
    only later: set it first, to the same value.
    """
    os.environ["SOLARA_APP"] = APP
    from solara.server import starlette

    starlette.app.router.routes = [
        r for r in starlette.app.router.routes if getattr(r, "path", None) not in DEBUG_ROUTES
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sim.dashboard", description="Serve the ESS dashboard in the browser."
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only); "
        "0.0.0.0 serves the other machines of a classroom network",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument(
        "--max-sessions", type=int,
        default=int(os.environ.get(MAX_SESSIONS_ENV, DEFAULT_MAX_SESSIONS)),
        help=f"open sessions (browser tabs) served at once, 0: no cap (default "
        f"{DEFAULT_MAX_SESSIONS})",
    )
    parser.add_argument(
        "--max-memory-mb", type=int,
        default=int(os.environ.get(MAX_MEMORY_ENV, DEFAULT_MAX_MEMORY_MB)),
        help="no new session once the server uses this much memory, 0: no cap (default "
        f"{DEFAULT_MAX_MEMORY_MB})",
    )
    parser.add_argument(
        "--cull-after", type=int, default=DEFAULT_CULL_AFTER_S,
        help=f"seconds a closed tab's session is kept (default {DEFAULT_CULL_AFTER_S})",
    )
    parser.add_argument(
        "--debug-endpoints", action="store_true", help="serve Solara's /resourcez (off by default)"
    )
    parser.add_argument(
        "--workers", type=int, default=1,
        help="server processes (default 1); one Python process uses one core at most: "
        "give a class the machine's cores (sim.dashboard.workers)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.exit(2, f"error: --workers must be >= 1, not {args.workers}\n")
    for name in ("port", "max_sessions", "max_memory_mb", "cull_after"):
        if getattr(args, name) < 0 or (name == "cull_after" and args.cull_after == 0):
            parser.exit(2, f"error: --{name.replace('_', '-')} must be "
                        f"{'> 0' if name == 'cull_after' else '>= 0'}, not {getattr(args, name)}\n")
    if args.port:
        problem = port_problem(args.host, args.port)
        if problem:
            parser.exit(2, problem + "\n")

    os.environ[MAX_SESSIONS_ENV] = str(args.max_sessions)
    os.environ[MAX_MEMORY_ENV] = str(args.max_memory_mb)
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = f"{args.cull_after}s"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"  # the badge covered the charts
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_ASSETS_PROXY"] = "True"
    os.environ.setdefault("SOLARA_ASSETS_CDN", OFFLINE_CDN)
    # Reacton's opt-in renderer that skips the component subtrees in which nothing changed: a
    # playing page re-renders its month counter and live views, not the whole page tree (the
    # default renderer's tree walk was over half a server process's time with thirty sessions;
    # docs/dashboard.md, eighth session). `REACTON_FAST=0` turns it off.
    os.environ.setdefault("REACTON_FAST", "1")
    port = args.port or free_port(args.host)
    if args.workers > 1:
        from sim.dashboard import workers

        workers.serve(args.host, port, args.workers,
                      ["--cull-after", str(args.cull_after)]
                      + (["--debug-endpoints"] if args.debug_endpoints else []),
                      free_port, args.max_sessions, args.max_memory_mb)
        return
    local = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"ESS dashboard: http://{local}:{port}/", flush=True)
    if local != args.host:
        print(f"  also served to other machines on port {port} of this machine's address")

    # Solara warns at the first page served over plain http under another name than 'localhost'
    # (127.0.0.1, a classroom address): its session cookie falls back to SameSite=Lax, harmless
    # here since the page is never embedded in another site.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import run

    if not args.debug_endpoints:
        drop_debug_routes()
    # A playing page's answers to the redraws, without Solara's two status messages each.
    os.environ["SOLARA_APP"] = APP
    from sim.dashboard.pulse import quiet_acks

    quiet_acks()

    run.main(
        [APP, "--host", args.host, "--port", str(port), "--production",
         "--no-open", "--no-check-version"],
        prog_name="python -m sim.dashboard",
    )


if __name__ == "__main__":
    main()
