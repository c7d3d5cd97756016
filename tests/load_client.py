"""A planner without a browser: one app session driven over Streamlit's websocket protocol.

The load test needs many planners on one two-core machine. Ten Chromium tabs
drawing ten maps on the server's own cores measure the test rig, not the
server, so most planners are simulated here: a :class:`PlannerSession`
opens the app's websocket (``/_stcore/stream``) exactly as the browser does,
asks for a page or clicks a button by sending the same ``BackMsg`` the
browser sends, and counts the seconds until the server reports the script
run finished. It keeps the hashes of the large messages it has received and
sends them back, as the browser does, so that the server answers a repeated
map or table with a reference instead of its bytes. Errors the page shows
(exceptions, error boxes) are collected, so a run that "finished" with an
error on the page is still a failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class PageRun:
    """What one page request cost: seconds until the run finished and bytes received."""

    seconds: float
    received: int
    errors: list[str] = field(default_factory=list)


class PlannerSession:
    """One planner's app session over the websocket (``async with PlannerSession(url)``)."""

    def __init__(self, url: str) -> None:
        self.ws_url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self._ws: Any = None
        self._pages: dict[str, str] = {}  # url path -> page script hash
        self._page = ""
        self._buttons: dict[str, str] = {}  # label -> widget id, from the last run
        self._numbers: dict[str, tuple[str, bool]] = {}  # label -> (widget id, whole numbers)
        self._cached: set[str] = set()

    async def __aenter__(self) -> PlannerSession:
        import websockets

        self._ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    async def open(self, path: str = "") -> PageRun:
        """Open the page at url ``path`` ("" for the first page), as a sidebar click does."""
        self._page = self._pages.get(path, "")
        return await self._run(page_name="" if self._page else path)

    async def click(self, label: str, numbers: dict[str, float] | None = None) -> PageRun:
        """Press the button labelled ``label`` on the current page (a form's submit included).

        ``numbers`` gives number boxes (by label) the values typed before the
        click, sent with it as a browser sends a form's values with its submit.
        """
        if label not in self._buttons:
            msg = f"no button {label!r} on the page; buttons: {sorted(self._buttons)}"
            raise AssertionError(msg)
        typed = {}
        for box, value in (numbers or {}).items():
            if box not in self._numbers:
                msg = f"no number box {box!r} on the page; boxes: {sorted(self._numbers)}"
                raise AssertionError(msg)
            typed[self._numbers[box]] = value
        return await self._run(trigger=self._buttons[label], typed=typed)

    async def _run(
        self,
        *,
        page_name: str = "",
        trigger: str | None = None,
        typed: dict[tuple[str, bool], float] | None = None,
    ) -> PageRun:
        back = BackMsg()
        state = back.rerun_script
        state.page_script_hash = self._page
        state.page_name = page_name
        state.cached_message_hashes.extend(sorted(self._cached))
        for (widget_id, whole), value in (typed or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            if whole:
                widget.int_value = int(value)
            else:
                widget.double_value = float(value)
        if trigger is not None:
            widget = state.widget_states.widgets.add()
            widget.id = trigger
            widget.trigger_value = True
        start = time.perf_counter()
        await self._ws.send(back.SerializeToString())
        received = 0
        errors: list[str] = []
        self._buttons = {}
        self._numbers = {}
        while True:
            raw = await self._ws.recv()
            received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                self._cached.add(msg.hash)
            if kind == "navigation":
                self._pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, errors)
            elif kind == "script_finished" and msg.script_finished != _EARLY_FOR_RERUN:
                return PageRun(time.perf_counter() - start, received, errors)

    def _element(self, element: Any, errors: list[str]) -> None:
        kind = element.WhichOneof("type")
        if kind == "button":
            self._buttons[element.button.label] = element.button.id
        elif kind == "number_input":
            box = element.number_input
            whole = box.data_type == box.DataType.INT
            self._numbers[box.label] = (box.id, whole)
        elif kind == "exception":
            errors.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.Format.ERROR:
            errors.append(element.alert.body)
