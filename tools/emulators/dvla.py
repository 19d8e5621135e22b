"""Fake DVLA Vehicle Enquiry Service (VES) on loopback.

Format: ``docs/protocols.md``, "UK DVLA Vehicle Enquiry Service".

Built from ``tests/fixtures/dvla/ves_mock_responses_dvla_portal.json`` (the DVLA portal's UAT
mock responses): ``POST /vehicle-enquiry/v1/vehicles`` with ``x-api-key`` and
``{"registrationNumber": ...}``. AA19AAA answers the fixture's 200 body; ER19BAD 400, ER19NFD
404, ER19THR 429 (body not captured: empty, with ``Retry-After`` when configured), ER19ERR 500,
ER19MNT 503 (``status`` a number) — every status in the fixture. Any other plate: 404 like
ER19NFD. A wrong or missing key: 403 (body unverified upstream; ours is the same error shape).
Counts requests per plate (:attr:`DvlaEmulator.requests`). Optional ``delay`` seconds per answer.

Tests: ``emu = DvlaEmulator(api_key="k"); await emu.start(); emu.url; await emu.stop()``.
CLI: ``python -m tools.emulators.dvla --port 8090 --api-key KEY``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
import json
from pathlib import Path
from typing import Any

from aiohttp import web

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "tests/fixtures/dvla/ves_mock_responses_dvla_portal.json"
)
PATH = "/vehicle-enquiry/v1/vehicles"


def load_fixture(path: Path = FIXTURE) -> dict[str, tuple[int, Any]]:
    """Return ``{VRN: (status, body)}`` from the fixture's ``<VRN>_<status>`` keys."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    answers: dict[str, tuple[int, Any]] = {}
    for key, body in raw.items():
        vrn, _, status = key.partition("_")
        if status.isdigit():
            answers[vrn] = (int(status), body if isinstance(body, dict) else None)
    return answers


class DvlaEmulator:
    """An aiohttp server answering like the VES UAT environment."""

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Configure; call :meth:`start`."""
        self.api_key = api_key
        self.host = host
        self.port = port
        self.retry_after = retry_after
        self.delay = delay
        self.answers = load_fixture()
        self.requests: Counter[str] = Counter()
        #: Extra raw answers for quirk tests: ``{VRN: (status, body bytes, headers)}``.
        self.raw: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.bodies: list[Any] = []
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL (what the client's ``base_url`` takes)."""
        return f"http://{self.host}:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        if request.headers.get("x-api-key") != self.api_key:
            return web.json_response(
                {
                    "errors": [
                        {"status": "403", "code": "403", "title": "Forbidden",
                         "detail": "Invalid API key"}
                    ]
                },
                status=403,
            )
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.bodies.append(body)
        vrn = str((body or {}).get("registrationNumber", "")).upper()
        self.requests[vrn] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if vrn in self.raw:
            status, data, extra = self.raw[vrn]
            return web.Response(status=status, body=data, headers=extra)
        status, answer = self.answers.get(vrn, self.answers.get("ER19NFD", (404, None)))
        headers = {}
        if status == 429 and self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        if answer is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(answer, status=status, headers=headers)

    async def start(self) -> None:
        """Listen (port 0 picks a free one; :attr:`port` is updated)."""
        app = web.Application()
        app.router.add_post(PATH, self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def _main(port: int, api_key: str) -> None:
    emu = DvlaEmulator(api_key, port=port)
    await emu.start()
    print(f"DVLA VES emulator on {emu.url}{PATH} (key {api_key!r})")
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--api-key", default="test-key")
    args = parser.parse_args()
    asyncio.run(_main(args.port, args.api_key))
