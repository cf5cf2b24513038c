"""A websockets client connection that reads Engine.IO text frames cheaply."""

from __future__ import annotations

from collections.abc import Callable

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.http11 import Response


class FastConnection(ClientConnection):
    """A client connection whose incoming text frames skip websockets' parser.

    Once ``raw`` is set (after the handshake), complete unmasked, uncompressed,
    unfragmented text frames are cut out of the byte stream here and handed to
    ``on_text``; pings are answered here too. Anything else (close, fragments,
    compressed frames) hands the stream back to websockets for good, at a frame
    boundary. This keeps the generator's cost per received copy near 5-10 µs.
    """

    on_text: Callable[[str], None] | None = None
    raw = False
    pending = b""

    def start_raw(self, on_text: Callable[[str], None]) -> None:
        self.on_text = on_text
        # Only switch when websockets' reader holds no partial frame.
        self.raw = not self.protocol.reader.buffer

    def write_now(self, text: str) -> None:
        """Frame and write at once, without waiting for the transport to drain.

        Open-loop sending must not stall the whole schedule behind one connection
        whose server reads slowly: the bytes queue in the transport instead, and the
        delay shows in the latency, measured from the scheduled time.
        """
        self.protocol.send_text(text.encode())
        self.send_data()

    def data_received(self, data: bytes) -> None:
        if not self.raw:
            super().data_received(data)
            return
        buf = self.pending + data if self.pending else data
        on_text = self.on_text
        assert on_text is not None
        pos = 0
        end = len(buf)
        while end - pos >= 2:
            b0 = buf[pos]
            length = buf[pos + 1]
            head = 2
            if length == 126:
                if end - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if end - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            elif length > 127:  # masked: not from a server
                break
            stop = pos + head + length
            if stop > end:
                break
            if b0 == 0x81:  # FIN + text, no RSV bits
                on_text(buf[pos + head : stop].decode())
            elif b0 == 0x89:  # ping
                self.protocol.send_pong(buf[pos + head : stop])
                self.send_data()
            elif b0 != 0x8A:  # not a pong either: let websockets take over
                self.raw = False
                self.pending = b""
                super().data_received(bytes(buf[pos:]))
                return
            pos = stop
        if pos < end and end - pos >= 2 and buf[pos + 1] > 127:
            self.raw = False
            self.pending = b""
            super().data_received(bytes(buf[pos:]))
            return
        self.pending = buf[pos:]

    def process_event(self, event: Frame | Response) -> None:  # type: ignore[override]
        if (
            self.on_text is not None
            and isinstance(event, Frame)
            and event.opcode is Opcode.TEXT
            and event.fin
        ):
            self.on_text(bytes(event.data).decode())
            return
        super().process_event(event)
