"""The page's answer to the play loop's redraws: flow control between a session and its page.

`Pulse` is an invisible widget of the page. After each redraw the play loop sends it a numbered
``ping`` (a custom message, after the redraw's own messages on the same websocket); the page's
Vue code answers ``ack`` with that number as it handles it, i.e. once it has handled every
message before it. The play loop redraws a page only when it has answered (`pacing.Acks`): a page
too slow to keep up is sent fewer redraws — each showing the month reached then — and never holds
up its session's months. The widget also carries the session's name (hidden in the page), by
which the load benchmark matches a page's shown rate with the months the server counted for it.
"""

from __future__ import annotations

import ipyvuetify
import traitlets

from sim.dashboard.pacing import Acks

TEMPLATE = """<template>
  <span class="ess-session" style="display: none">{{ session }}</span>
</template>
<script>
module.exports = {
  methods: {
    jupyter_ping(number) { this.ack(number); },
  },
};
</script>
"""


class Pulse(ipyvuetify.VuetifyTemplate):
    """Answers the play loop's pings (`ping`, `caught_up`); shows the session's name hidden."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    session = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.acks = Acks()

    def caught_up(self) -> bool:
        return self.acks.caught_up()

    def ping(self) -> None:
        """Ask the page to answer once it has handled everything sent before."""
        self.send({"method": "ping", "args": [self.acks.ping()]})

    def vue_ack(self, number=None) -> None:
        self.acks.ack(number)
