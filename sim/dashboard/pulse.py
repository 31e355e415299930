"""One message per redraw, and the page's answer to it: flow control between a session and its
page.

`Pulse` is an invisible widget of the page. A redraw of a playing page updates several widgets
(the month counter, the headline tables, the charts' new points and, every few seconds, the map,
the ties and the feed). Each widget update used to be a websocket message of its own, handed from
the play loop's thread to the server's event loop and sent there one at a time — a fifth of a
server process's time with eight pages playing (docs/dashboard.md, eleventh session). Now the
play loop collects a redraw's widget messages (`Batch`: the very messages ipywidgets would have
sent, taken from each widget's ``_send``) and sends them in one ``redraw`` message to `Pulse`;
the page's `Pulse` hands each to its widget's model as if it had arrived on its own
(`_handle_comm_msg`: the same code path, the same order), then answers ``ack`` with the
redraw's number. The play loop redraws a page only when it has answered (`pacing.Acks`): a page
too slow to keep up is sent fewer redraws — each showing the month reached then — and never
holds up its session's months. The widget also carries the session's name (hidden in the page),
by which the load benchmark matches a page's shown rate with the months the server counted.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager

import ipyvuetify
import traitlets

from sim.dashboard.pacing import Acks

TEMPLATE = """<template>
  <span class="ess-session" style="display: none">{{ session }}</span>
</template>
<script>
module.exports = {
  methods: {
    async jupyter_redraw({messages, ping, pulse}) {
      // Each widget message of the redraw, to its model, in order, as if received on its own.
      for (const [id, data] of messages) {
        try {
          const model = await this.viewCtx.getModelById(id);
          await model._handle_comm_msg({content: {data}, buffers: []});
        } catch (e) {
          console.warn("redraw: a widget message was not handled", id, e);
        }
      }
      await this.answer(ping, pulse);
    },
    async answer(ping, pulse) {
      // The `ack` event `this.ack(ping)` sends (ipyvue), sent on this widget's comm (`pulse`:
      // its model id) so that the reply it would wait for is dropped at once: the server sends
      // no busy/idle status for an ack (`quiet_acks`), and a reply waiting for its idle would
      // be kept for ever.
      try {
        const comm = (await this.viewCtx.getModelById(pulse)).comm.jsServicesComm;
        comm.send({method: "custom", content: {event: "ack", data: ping}}).dispose();
      } catch (e) {
        this.ack(ping);
      }
    },
  },
};
</script>
"""


class Batch:
    """Widget messages held back, to be sent together in one `Pulse` message.

    Inside `capture(*widgets)`, whatever those widgets would send to the page — a trait's new
    value (``update``), a custom message (``custom``) — is kept here instead, exactly as
    ipywidgets built it (the server's traits are set as usual). A message with binary buffers
    (none of the dashboard's) is sent on its own, after the messages held so far.
    """

    def __init__(self, flush=None):
        self.messages: list[list] = []  # [model id, the comm message's data]
        self._flush = flush  # sends (and clears) the messages held, before a binary one
        self._lock = threading.Lock()

    def _keep(self, widget, msg, buffers=None) -> None:
        if buffers:
            if self._flush is not None:
                self._flush()
            type(widget)._send(widget, msg, buffers=buffers)
            return
        with self._lock:
            self.messages.append([widget.model_id, msg])

    def take(self) -> list[list]:
        with self._lock:
            messages, self.messages = self.messages, []
        return messages

    @contextmanager
    def capture(self, *widgets):
        """Hold back what `widgets` send while inside (`ipywidgets.Widget._send`)."""
        held = [w for w in widgets if w is not None]
        for widget in held:
            widget._send = lambda msg, buffers=None, w=widget: self._keep(w, msg, buffers)
        try:
            yield self
        finally:
            for widget in held:
                widget.__dict__.pop("_send", None)


# The Pulses alive, by comm id: their acks are handled without kernel status messages.
_PULSES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def is_ack(msg: dict) -> bool:
    """True for a page's ``ack`` to a `Pulse`'s redraw (a comm message to a live Pulse)."""
    if msg.get("header", {}).get("msg_type") != "comm_msg":
        return False
    content = msg.get("content") or {}
    data = content.get("data") or {}
    return (
        content.get("comm_id") in _PULSES
        and data.get("method") == "custom"
        and (data.get("content") or {}).get("event") == "ack"
    )


def quiet_acks() -> None:
    """Let the server handle a page's acks without the two kernel status messages (busy, idle)
    Solara's server sends for every message a page sends.

    A playing page answers each redraw; for each answer the server sent two more websocket
    messages, which the page read and dispatched: three messages per redraw besides the redraw
    itself. Nothing in the page waits for those two: the widgets' state throttle counts the idle
    of state updates (``update``), not of custom messages, and the page's `Pulse` drops the
    reply it would wait for as soon as it has sent the ack (`TEMPLATE`). Every other message —
    a control, a state update, another widget's event — goes through Solara's handler
    unchanged. Installed once per server process, by wrapping
    `solara.server.server.process_kernel_messages` (looked up by name where it is called).
    """
    from solara.server import server

    handle = server.process_kernel_messages
    if getattr(handle, "quiet_acks", False):
        return

    def process_kernel_messages(kernel, msg) -> bool:
        if not is_ack(msg):
            return handle(kernel, msg)
        if server.ipykernel_major < 6:
            kernel.set_parent(None, msg)
        else:
            kernel.set_parent(None, msg, msg["channel"])
        kernel.comm_manager.comm_msg(kernel.shell_stream, None, msg)
        return True

    process_kernel_messages.quiet_acks = True
    server.process_kernel_messages = process_kernel_messages


class Pulse(ipyvuetify.VuetifyTemplate):
    """Carries a redraw's widget messages in one message and answers it (`redraw`,
    `caught_up`); shows the session's name hidden."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    session = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.acks = Acks()
        _PULSES[self.model_id] = self

    def caught_up(self) -> bool:
        return self.acks.caught_up()

    def redraw(self, messages: list[list] = ()) -> None:
        """Send a redraw's widget messages (`Batch`) in one message, asking the page to answer
        once it has handled them and everything sent before."""
        self.send(
            {
                "method": "redraw",
                "args": [
                    {"messages": list(messages), "ping": self.acks.ping(), "pulse": self.model_id}
                ],
            }
        )

    def vue_ack(self, number=None) -> None:
        self.acks.ack(number)
