"""The shared reconnect back-off of the network sources (Hikvision, ONVIF, Milesight TCP)."""

from __future__ import annotations

from custom_components.anpr.sources.base import Backoff


def test_backoff_doubles_with_jitter_up_to_the_cap_and_resets() -> None:
    """1 s, 2 s, 4 s ... capped at 60 s, each within ±50 %; a connection starts over at 1 s."""
    backoff = Backoff(1.0, 60.0)
    delays = [backoff.next_delay() for _ in range(10)]
    nominal = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    for delay, base in zip(delays, nominal, strict=True):
        assert 0.5 * base <= delay <= 1.5 * base
    assert len({round(d / n, 6) for d, n in zip(delays, nominal, strict=True)}) > 1  # jittered
    backoff.reset()
    assert 0.5 <= backoff.next_delay() <= 1.5
