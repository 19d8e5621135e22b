"""Privacy mode: plates kept as keyed hashes in the history. No HA import.

A plate that is not on one of the user's lists is stored as ``"#"`` followed by the first 32
hex digits (128 bits) of HMAC-SHA-256(secret, plate) (RFC 2104, FIPS 180-4). The secret is 32
random bytes made once per installation (:func:`new_secret`) and kept in the hub's config entry;
without it a stored value cannot be linked to a plate, and with it the same plate always gives
the same value, so counts, visits and visitor classes keep working and a search by plate can
hash the query. Listed plates (the user's own data) stay in the clear. ``#`` never occurs in a
normalised plate, so a stored value tells which form it has.
"""

from __future__ import annotations

from collections.abc import Callable
import hashlib
import hmac
import secrets

HASH_PREFIX = "#"
HASH_HEX_DIGITS = 32


def new_secret() -> str:
    """Return a new per-install secret (64 hex digits)."""
    return secrets.token_hex(32)


def is_hashed(value: str | None) -> bool:
    """Return True for a stored hash (never for a plate).

    True for a stored hash (never for a plate).
    """
    return bool(value) and str(value).startswith(HASH_PREFIX)


class PlateHasher:
    """Keyed hashing of plates; ``secret`` is the hex string of :func:`new_secret`.

    Raises ValueError for a secret that is not hex. The secret is never part of ``repr``.
    """

    __slots__ = ("_key",)

    def __init__(self, secret: str) -> None:
        """Bind to the install's secret."""
        self._key = bytes.fromhex(secret)

    def __repr__(self) -> str:
        """No secret in logs."""
        return "PlateHasher(<secret>)"

    def hash(self, plate: str) -> str:
        """Return the stored form of a normalised plate (idempotent on a hash)."""
        if is_hashed(plate):
            return plate
        digest = hmac.new(self._key, plate.encode(), hashlib.sha256).hexdigest()
        return HASH_PREFIX + digest[:HASH_HEX_DIGITS]


class PrivacyPolicy:
    """Decides the stored form of each plate. ``hasher`` None = privacy mode off.

    ``is_listed(plate)`` says whether a plate (normalised) is on a list: those stay clear.
    """

    def __init__(
        self, hasher: PlateHasher | None = None, is_listed: Callable[[str], bool] | None = None
    ) -> None:
        """Create the policy."""
        self.hasher = hasher
        self.is_listed = is_listed or (lambda _plate: False)

    @property
    def enabled(self) -> bool:
        """True in privacy mode."""
        return self.hasher is not None

    def stored(self, plate: str | None) -> str | None:
        """Return the form of ``plate`` that may be written to the history.

        The form of ``plate`` that may be written to the history (None stays None).
        """
        if self.hasher is None or not plate or is_hashed(plate) or self.is_listed(plate):
            return plate
        return self.hasher.hash(plate)

    def query_forms(self, plate: str) -> list[str]:
        """Every stored form a search for ``plate`` must look for (clear and hashed)."""
        if self.hasher is None or is_hashed(plate):
            return [plate]
        return [plate, self.hasher.hash(plate)]
