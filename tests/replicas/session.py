"""The protocol-level load client (bench/streamlit_client.py) with what these tests add: resuming a
session by id and sending an XSRF token (both as the browser's front end does, through the
websocket's subprotocol list), and keeping every frame received so a test can look for text."""

from __future__ import annotations

import asyncio

import websockets

from bench.streamlit_client import StreamlitSession


class Session(StreamlitSession):
    def __init__(self, *args, resume: str | None = None, xsrf: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.resume = resume
        self.xsrf = xsrf
        self.frames: list[bytes] = []

    async def connect(self) -> None:
        if self.resume is None and self.xsrf is None:
            return await super().connect()
        # The front end's subprotocols: "streamlit", its XSRF token, the session it reconnects to.
        subprotocols = ["streamlit", self.xsrf or "noxsrf"] + ([self.resume] if self.resume else [])
        headers = {"Origin": self.base_url, **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self._ws = await websockets.connect(url, subprotocols=subprotocols, additional_headers=headers,
                                            max_size=None, ping_interval=None, open_timeout=self.open_timeout_s)
        for value in self._ws.response.headers.get_all("Set-Cookie"):
            name, _, rest = value.partition("=")
            self.response_cookies[name.strip()] = rest.split(";")[0]
        self._reader = asyncio.create_task(self._read_forever())

    def _on_message(self, frame: bytes | str) -> None:
        if isinstance(frame, bytes) and self._current is not None:
            self.frames.append(frame)
        super()._on_message(frame)

    def saw(self, text: str) -> bool:
        """`text` in any frame, as shown: the app escapes data text (dashboard.components.plain:
        backslashes, and a word joiner that keeps an e-mail address from becoming a link)."""
        wanted = text.encode()
        return any(wanted in f.replace("\u2060".encode(), b"").replace(b"\\", b"") for f in self.frames)
