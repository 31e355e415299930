"""`python -m sim.dashboard`: serve the dashboard from this machine, with no network needed.

Solara's page loads its front end through the local server, which answers from a cache filled
ahead of time by the `solara-assets` package and fetches anything missing from a CDN. The launcher
points that CDN at a closed loopback port, so a missing asset fails the same way at home as in a
classroom without internet instead of quietly depending on the network; it also turns off
Solara's telemetry, its PyPI version check and its 'solara.dev' check frame (production mode).
These settings are read when solara is first imported, hence environment variables set first.
"""

from __future__ import annotations

import argparse
import os
import socket
import warnings

# Port 9 (discard) on loopback: connection refused at once, never a wait on a missing network.
OFFLINE_CDN = "http://127.0.0.1:9/npm/"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


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
    args = parser.parse_args(argv)

    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_ASSETS_PROXY"] = "True"
    os.environ.setdefault("SOLARA_ASSETS_CDN", OFFLINE_CDN)
    port = args.port or free_port(args.host)
    local = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"ESS dashboard: http://{local}:{port}/", flush=True)
    if local != args.host:
        print(f"  also served to other machines on port {port} of this machine's address")

    # Solara warns at the first page served over plain http under another name than 'localhost'
    # (127.0.0.1, a classroom address): its session cookie falls back to SameSite=Lax, harmless
    # here since the page is never embedded in another site.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import run

    run.main(
        ["sim.dashboard.app", "--host", args.host, "--port", str(port), "--production",
         "--no-open", "--no-check-version"],
        prog_name="python -m sim.dashboard",
    )


if __name__ == "__main__":
    main()
