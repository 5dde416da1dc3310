"""A protocol-level Streamlit client: real sessions over the websocket, no browser.

Why: a browser costs 5-10 times the server's CPU per view, so browsers on the server's own
machine measure the browsers. This client speaks the front end's protocol
(`ws://HOST:PORT/_stcore/stream`, subprotocol "streamlit", binary protobufs from
`streamlit.proto`) and costs the server exactly what a browser's session costs it.

One view = `BackMsg.rerun_script` for a page (`page_name` = the page's `url_path`, optional
query string), timed until the server reports `script_finished` and then
`session_status_changed{script_is_running: false}`. Exception elements are page errors;
`st.error` alerts and `page_not_found` are recorded too.

Reusable (the replica bench drives sessions through a proxy with it):

    async with StreamlitSession("http://127.0.0.1:8501", cookies={"SERVERID": "r1"}) as s:
        result = await s.view("indicator", "code=MISSIONS_ABROAD")
        result.seconds, result.ok, result.exceptions, s.session_id, s.response_cookies

    summary = asyncio.run(run_load("http://127.0.0.1:8501", PAGES, sessions=20, views=6, think_s=1.0))
    summary.to_dict()  # p50/p95/max, errors, hangs, views per second, per page

Stable API: StreamlitSession(base_url, *, cookies, headers, view_timeout_s, open_timeout_s),
.view(page, query_string, timeout_s) -> ViewResult, run_load(...) -> LoadSummary, Page, PAGES.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED_EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN


@dataclass(frozen=True)
class Page:
    """A page to view: its `url_path` ("" = the default page, as a browser at "/" asks for it),
    an optional query string, and an optional name for reports."""

    name: str
    query_string: str = ""
    title: str = ""

    @property
    def label(self) -> str:
        return (self.title or self.name or "(default)") + (f"?{self.query_string}" if self.query_string else "")


# The dashboard's reader pages (the review page renders PNGs once per quarter and language; it is
# a page of its own kind and left to `pages=`).
PAGES: tuple[Page, ...] = (
    Page("", title="overview"),  # the default page answers to "" only, as at "/"
    Page("indicator"),
    Page("indicator", "code=MISSIONS_ABROAD"),
    Page("missions"),
    Page("data-status"),
)


@dataclass
class ViewResult:
    """One page view as the server delivered it."""

    page: str  # the page_name sent
    query_string: str
    status: str  # ok | exception | timeout | disconnected | page_not_found | compile_error
    seconds: float
    started_at: float  # time.time() when the rerun was sent
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception element
    error_alerts: list[str] = field(default_factory=list)  # bodies of st.error alerts
    deltas: int = 0  # element/block messages received
    bytes_received: int = 0
    script_finished: int | None = None  # last ForwardMsg.ScriptFinishedStatus seen
    label: str = ""  # the Page's label (page and query string) for reports

    def __post_init__(self) -> None:
        self.label = self.label or Page(self.page, self.query_string).label

    @property
    def ok(self) -> bool:
        """Completed, without an exception element."""
        return self.status == "ok"


def _ws_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


class StreamlitSession:
    """One Streamlit session over one websocket; views run one after another.

    The socket is read continuously (also while "thinking"): the server drops a session whose
    send queue fills up, and Arrow/Vega payloads exceed websockets' default 1 MiB frame limit.
    """

    def __init__(
        self,
        base_url: str,
        *,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        view_timeout_s: float = 30.0,
        open_timeout_s: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = dict(cookies or {})
        self.headers = dict(headers or {})
        self.view_timeout_s = view_timeout_s
        self.open_timeout_s = open_timeout_s
        self.session_id: str | None = None
        self.response_headers: dict[str, str] = {}
        self.response_cookies: dict[str, str] = {}  # Set-Cookie of the upgrade response (e.g. a proxy's sticky cookie)
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._current: ViewResult | None = None
        self._finished_seen = False
        self._done: asyncio.Event | None = None
        self._closed_reason: str | None = None

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        headers = {"Origin": self.base_url, **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await websockets.connect(
            _ws_url(self.base_url),
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.open_timeout_s,
            ping_interval=None,  # the server's own keep-alive is enough; pings would add load of our own
            compression=None,
        )
        response = getattr(self._ws, "response", None)
        if response is not None:
            self.response_headers = {k: v for k, v in response.headers.raw_items()}
            jar = SimpleCookie()
            for value in response.headers.get_all("Set-Cookie"):
                jar.load(value)
            self.response_cookies = {k: m.value for k, m in jar.items()}
        self._reader = asyncio.create_task(self._read_forever())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass
        self._ws = None
        self._reader = None

    async def view(self, page: str | Page = "", query_string: str = "", timeout_s: float | None = None) -> ViewResult:
        """Rerun the script for `page` (its url_path, or a Page) and wait until the server says it is done."""
        if isinstance(page, Page):
            page, query_string, label = page.name, page.query_string, page.label
        else:
            label = Page(page, query_string).label
        result = ViewResult(page, query_string, "timeout", 0.0, time.time(), label=label)
        if self._ws is None or self._closed_reason is not None:
            result.status = "disconnected"
            return result
        self._current, self._finished_seen, self._done = result, False, asyncio.Event()
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = query_string
        msg.rerun_script.widget_states.SetInParent()  # empty widget states: a fresh arrival at the page
        start = time.perf_counter()
        try:
            await self._ws.send(msg.SerializeToString())
            await asyncio.wait_for(self._done.wait(), timeout_s or self.view_timeout_s)
        except asyncio.TimeoutError:
            result.status = "timeout"
        except websockets.ConnectionClosed:
            result.status = "disconnected"
        result.seconds = time.perf_counter() - start
        self._current = None
        return result

    async def _read_forever(self) -> None:
        try:
            async for frame in self._ws:
                self._on_message(frame)
        except websockets.ConnectionClosed as exc:
            self._closed_reason = str(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a message we could not parse: end the view rather than hang
            self._closed_reason = repr(exc)
        else:
            self._closed_reason = "closed"
        self._finish("disconnected")

    def _finish(self, status: str) -> None:
        if self._current is not None and self._done is not None and not self._done.is_set():
            if self._current.status == "timeout":  # no verdict yet
                self._current.status = status
            self._done.set()

    def _on_message(self, frame: bytes | str) -> None:
        if isinstance(frame, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
        view = self._current
        if view is None:
            return
        view.bytes_received += len(frame)
        if kind == "delta":
            view.deltas += 1
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                etype = element.WhichOneof("type")
                if etype == "exception":
                    view.exceptions.append(f"{element.exception.type}: {element.exception.message}")
                elif etype == "alert" and element.alert.format == Alert.ERROR:
                    view.error_alerts.append(element.alert.body)
        elif kind == "page_not_found":
            view.exceptions.append(f"page_not_found: {msg.page_not_found.page_name}")
            view.status = "page_not_found"
        elif kind == "script_finished":
            view.script_finished = msg.script_finished
            # An early finish (st.rerun) is followed by another run: wait for that one's finish.
            self._finished_seen = msg.script_finished != FINISHED_EARLY_FOR_RERUN
        elif kind == "session_status_changed":
            if not msg.session_status_changed.script_is_running and self._finished_seen:
                if view.status == "timeout":
                    if view.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        view.status = "compile_error"
                    else:
                        view.status = "exception" if view.exceptions else "ok"
                self._finish(view.status)


# -- many sessions --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class LoadSummary:
    """What N sessions × V views did: every view, and the figures the bench reports."""

    sessions: int
    views_per_session: int
    think_s: float
    wall_s: float
    results: list[ViewResult]
    connect_failures: list[str] = field(default_factory=list)

    def times(self, page: str | None = None) -> list[float]:
        return [r.seconds for r in self.results if r.ok and (page is None or r.label == page)]

    @property
    def completed(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def errors(self) -> int:
        """Views that completed with an exception or an unknown page."""
        return sum(r.status in ("exception", "page_not_found", "compile_error") for r in self.results)

    @property
    def hangs(self) -> int:
        """Views that never finished (timeout) or lost their connection."""
        return sum(r.status in ("timeout", "disconnected") for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        def stats(values: list[float]) -> dict[str, Any]:
            return {"n": len(values), "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
                    "max_s": max(values) if values else None,
                    "mean_s": statistics.fmean(values) if values else None}

        return {
            "sessions": self.sessions, "views_per_session": self.views_per_session, "think_s": self.think_s,
            "wall_s": self.wall_s, "planned": self.sessions * self.views_per_session,
            "views": len(self.results), "completed": self.completed,
            "errors": self.errors, "hangs": self.hangs, "connect_failures": len(self.connect_failures),
            "views_per_s": self.completed / self.wall_s if self.wall_s else None,
            "all": stats(self.times()),
            "by_page": {label: stats(self.times(label)) for label in sorted({r.label for r in self.results})},
            "error_samples": sorted({e for r in self.results for e in r.exceptions})[:10],
        }


async def run_session(
    base_url: str,
    pages: list[Page] | tuple[Page, ...],
    views: int,
    think_s: float,
    *,
    first: int = 0,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    view_timeout_s: float = 30.0,
    jitter: float = 0.2,
    rng: random.Random | None = None,
    before_view: Callable[[int, int], Awaitable[None]] | None = None,
) -> list[ViewResult]:
    """One reader: `views` views cycling over `pages` from `pages[first]`, thinking between them.

    `before_view(first, i)`, if given, is awaited before view i (e.g. to hold every session until
    an ingest has published); the session stays connected meanwhile.
    """
    rng = rng or random.Random(first)
    out: list[ViewResult] = []
    async with StreamlitSession(base_url, cookies=cookies, headers=headers, view_timeout_s=view_timeout_s) as session:
        for i in range(views):
            if before_view is not None:
                await before_view(first, i)
            page = pages[(first + i) % len(pages)]
            result = await session.view(page)
            out.append(result)
            if result.status in ("timeout", "disconnected"):
                break  # a hung session stays hung: the rest of its views would only repeat it
            if i < views - 1 and think_s > 0:
                await asyncio.sleep(think_s * (1 + rng.uniform(-jitter, jitter)))
    return out


async def run_load(
    base_url: str,
    pages: list[Page] | tuple[Page, ...] = PAGES,
    sessions: int = 20,
    views: int = 6,
    think_s: float = 1.0,
    *,
    ramp_s: float = 0.05,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    view_timeout_s: float = 30.0,
    seed: int = 13,
    before_view: Callable[[int, int], Awaitable[None]] | None = None,
) -> LoadSummary:
    """N sessions at once (session i starts i·ramp_s late, on pages[i % len(pages)])."""
    rng = random.Random(seed)
    failures: list[str] = []

    async def one(i: int) -> list[ViewResult]:
        await asyncio.sleep(i * ramp_s)
        try:
            return await run_session(base_url, pages, views, think_s, first=i, cookies=cookies, headers=headers,
                                     view_timeout_s=view_timeout_s, rng=random.Random(rng.random()),
                                     before_view=before_view)
        except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as exc:
            failures.append(f"session {i}: {exc!r}")
            page = pages[i % len(pages)]
            return [ViewResult(page.name, page.query_string, "disconnected", 0.0, time.time(), label=page.label)]

    start = time.perf_counter()
    per_session = await asyncio.gather(*(one(i) for i in range(sessions)))
    wall = time.perf_counter() - start
    results = [r for rs in per_session for r in rs]
    return LoadSummary(sessions, views, think_s, wall, results, failures)


def results_as_dicts(results: list[ViewResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
