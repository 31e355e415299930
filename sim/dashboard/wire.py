"""A dashboard session played over Solara's websocket, without a browser: the load benchmark's
light client.

Thirty Chromium pages on the server's own two cores measured the pages as much as the server
(docs/dashboard.md, eighth session). What the server does for a session does not depend on
whether a browser draws what it sends: it renders the page, steps the model and sends every
widget message all the same. So a session can be played by the messages a page itself sends
(captured from Chromium): ``GET /`` for the session cookie (following the `--workers`
redirect), a websocket on ``/jupyter/api/kernels/<kernel>/channels``, the kernel-info request,
Solara's ``solara.control`` comm and its ``run`` message. The server then opens one comm per
widget of the page; the client finds the Play button (the Vuetify button of class
``ess-play``) and the speed slider among them, sets the speed, clicks Play as a page does (a
``custom`` ``click`` message), and from then on reads — and drops — every message the server
sends, as fast as they come: a reader that never lags, where a starved Chromium page lagged;
it answers the play loop's redraws as a page does (`sim.dashboard.pulse`). A starved reader
(`read_interval_s`) reads one message at a time, slowly, as a page given too little CPU.

What it does not do: draw (no ECharts, no Vue), ask for a chart's whole options again
(`resync`, sent by a chart drawn in a browser when it is created). It counts the messages and
bytes received. Loopback only, as the benchmark.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

SESSION_COOKIE = "solara-session-id"


def _message(session: str, msg_type: str, content: dict) -> str:
    """A Jupyter shell message as the page's widget manager sends it (protocol 5.2)."""
    return json.dumps(
        {
            "buffers": [],
            "channel": "shell",
            "content": content,
            "metadata": {},
            "parent_header": {},
            "header": {
                "date": datetime.now(UTC).isoformat(),
                "msg_id": str(uuid.uuid4()),
                "msg_type": msg_type,
                "session": session,
                "username": "",
                "version": "5.2",
            },
        }
    )


def open_page(url: str) -> tuple[str, str]:
    """GET the dashboard like a browser (redirects followed): (the page's final URL, the
    session cookie the server set)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url, timeout=120) as response:
        final = response.geturl()
        response.read()
    cookie = next((c.value for c in jar if c.name == SESSION_COOKIE), None)
    if cookie is None:
        raise RuntimeError(f"no {SESSION_COOKIE} cookie from {url}")
    return final, cookie


@dataclass
class WireSession:
    """One session of the dashboard, played over the websocket (see the module docstring)."""

    url: str
    # A reader that takes this many seconds per message (0: reads as fast as they come): a
    # Chromium page too starved of CPU to keep up with what the server sends.
    read_interval_s: float = 0.0
    messages: int = 0  # received since Play
    received_bytes: int = 0
    widgets: dict[str, dict] = field(default_factory=dict)  # comm id -> widget state
    _socket: object = None
    _session: str = field(default_factory=lambda: str(uuid.uuid4()))
    _playing: bool = False

    def _widget(self, test) -> str:
        found = [comm for comm, state in self.widgets.items() if test(state)]
        if len(found) != 1:
            raise RuntimeError(f"expected one such widget on the page, found {len(found)}")
        return found[0]

    def _note(self, frame) -> dict | None:
        """Keep the state of a widget the server opens; return the message (None: binary)."""
        if isinstance(frame, bytes):
            return None
        msg = json.loads(frame)
        content = msg.get("content", {})
        if msg.get("msg_type") == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.widgets[content["comm_id"]] = content["data"]["state"]
        return msg

    async def open(self, timeout: float = 600) -> None:
        """Load the page: returns once the server has rendered it (its `finished` message)."""
        from websockets.asyncio.client import connect

        final, cookie = await asyncio.to_thread(open_page, self.url)
        where = urlparse(final)
        kernel = str(uuid.uuid4())
        address = (
            f"ws://{where.netloc}/jupyter/api/kernels/{kernel}/channels?session_id={self._session}"
        )
        self._socket = await connect(
            address,
            additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
            max_size=None,
            open_timeout=timeout,
            close_timeout=2,
        )
        control = str(uuid.uuid4())
        for msg_type, content in (
            ("kernel_info_request", {}),
            ("comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}}),
            (
                "comm_msg",
                {
                    "comm_id": control,
                    "data": {
                        "method": "run",
                        "args": {
                            "path": where.path or "/",
                            "dark": False,
                            "themes": {},
                            "appName": None,
                        },
                    },
                },
            ),
        ):
            await self._socket.send(_message(self._session, msg_type, content))

        async def rendered():
            while True:
                msg = self._note(await self._socket.recv())
                if (
                    msg
                    and msg.get("msg_type") == "comm_msg"
                    and msg["content"]["data"].get("method") == "finished"
                ):
                    return

        await asyncio.wait_for(rendered(), timeout)

    async def _send_to(self, comm: str, data: dict) -> None:
        await self._socket.send(
            _message(self._session, "comm_msg", {"comm_id": comm, "data": data})
        )

    async def set_speed(self, months_per_second: int) -> None:
        """Move the speed slider (Solara's SliderInt: a Vuetify slider from 1 to 24)."""
        slider = self._widget(
            lambda s: (
                s.get("_model_name") == "SliderModel" and s.get("min") == 1 and s.get("max") == 24
            )
        )
        await self._send_to(
            slider,
            {"method": "update", "state": {"v_model": months_per_second}, "buffer_paths": []},
        )

    async def play(self) -> None:
        """Click Play, as the page sends it."""
        button = self._widget(
            lambda s: (
                s.get("_model_name") == "BtnModel" and "ess-play" in (s.get("class_") or "").split()
            )
        )
        await self._send_to(button, {"method": "custom", "content": {"event": "click", "data": {}}})
        self._playing = True

    @property
    def session(self) -> str | None:
        """The server's name for this session (`pulse.Pulse`'s), once the page is open."""
        names = [s["session"] for s in self.widgets.values() if s.get("session")]
        return names[0] if names else None

    async def _answer(self, frame) -> None:
        """Answer the play loop's ``redraw`` as the page's `pulse.Pulse` does: once every
        message before it has been read (the widget messages it carries are dropped, as the
        others)."""
        if isinstance(frame, bytes) or '"redraw"' not in frame:
            return
        msg = json.loads(frame)
        data = msg.get("content", {}).get("data", {})
        if (
            msg.get("msg_type") == "comm_msg"
            and data.get("method") == "custom"
            and data.get("content", {}).get("method") == "redraw"
        ):
            (redraw,) = data["content"]["args"]
            await self._send_to(
                msg["content"]["comm_id"],
                {"method": "custom", "content": {"event": "ack", "data": redraw["ping"]}},
            )

    async def read(self) -> None:
        """Read every message the server sends until the socket closes (one every
        `read_interval_s` seconds, for a starved page), answering the play loop's redraws."""
        try:
            async for frame in self._socket:
                self.messages += 1
                self.received_bytes += len(frame)
                if self.read_interval_s:
                    await asyncio.sleep(self.read_interval_s)
                await self._answer(frame)
        except Exception:  # the connection closed under us at the end: nothing to count
            pass

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
