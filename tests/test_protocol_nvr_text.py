"""NVR text-device decoder: markers, encodings, several reads per packet, splits, size cap."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.anpr.protocols.nvr_text import (
    NvrTextError,
    TextIssue,
    TextStreamDecoder,
    check_encoding,
    plate_read,
    unescape_marker,
)


def _texts(items: list[str | TextIssue]) -> list[str]:
    return [i for i in items if isinstance(i, str)]


def test_defaults_several_reads_and_noise() -> None:
    decoder = TextStreamDecoder()
    out = decoder.feed(b"hello<LPR>AB12CDE</LPR>\r\n<LPR> KM19 XYZ </LPR>junk<LPR>X1</LPR>")
    assert _texts(out) == ["AB12CDE", "KM19 XYZ", "X1"]
    assert plate_read("AB12CDE").plate == "AB12CDE"


def test_split_at_every_byte() -> None:
    data = b"<LPR>AB12CDE</LPR><LPR>ZZ99ZZZ</LPR>"
    for cut in range(1, len(data)):
        decoder = TextStreamDecoder()
        out = decoder.feed(data[:cut]) + decoder.feed(data[cut:])
        assert _texts(out) == ["AB12CDE", "ZZ99ZZZ"], cut


def test_custom_markers_encoding_and_empty_start() -> None:
    decoder = TextStreamDecoder("[", "]", "utf-8")
    assert _texts(decoder.feed("[부산 02가 1234][ÄÖ12]".encode())) == ["부산 02가 1234", "ÄÖ12"]
    decoder = TextStreamDecoder("", unescape_marker("\\r\\n"), "ascii")
    assert _texts(decoder.feed(b"AB12CDE\r\nKM19XYZ\r\n\r\n")) == ["AB12CDE", "KM19XYZ"]
    decoder = TextStreamDecoder("<LPR>", "</LPR>", "utf-16-le")
    assert _texts(decoder.feed("<LPR>AB1</LPR>".encode("utf-16-le"))) == ["AB1"]


def test_bad_input_is_reported_and_skipped() -> None:
    decoder = TextStreamDecoder(max_read=16)
    out = decoder.feed(b"<LPR>" + b"A" * 40)
    assert _texts(out) == []
    assert any("over 16 bytes" in i.reason for i in out if isinstance(i, TextIssue))
    out = decoder.feed(b"AAAA</LPR><LPR>NEXT1</LPR>")
    assert _texts(out) == ["NEXT1"]
    out = decoder.feed(b"<LPR>\xc3\xa4</LPR><LPR></LPR><LPR>OK2</LPR>")
    assert _texts(out) == ["OK2"]
    reasons = [i.reason for i in out if isinstance(i, TextIssue)]
    assert any("not valid ascii" in r for r in reasons)
    assert "empty read" in reasons
    # A start without its end before the next start: the last one wins.
    assert _texts(decoder.feed(b"<LPR>LOST<LPR>KEPT</LPR>")) == ["KEPT"]


def test_invalid_settings() -> None:
    assert check_encoding("US-ASCII") == "ascii"
    with pytest.raises(NvrTextError, match="unknown encoding"):
        TextStreamDecoder(encoding="klingon")
    with pytest.raises(NvrTextError, match="end string"):
        TextStreamDecoder(end="")
    with pytest.raises(NvrTextError, match="cannot be written"):
        TextStreamDecoder(start="«", encoding="ascii")


@settings(max_examples=80, deadline=None)
@given(
    plates=st.lists(st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True), min_size=1, max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8),
    noise=st.sampled_from([b"", b"\r\n", b"xx", b"<LP", b"</"]),
)
def test_fuzz_splits(plates: list[str], cuts: list[int], noise: bytes) -> None:
    data = noise.join(f"<LPR>{p}</LPR>".encode() for p in plates)
    decoder = TextStreamDecoder()
    out: list[str | TextIssue] = []
    pos = 0
    for cut in sorted(cuts):
        out += decoder.feed(data[pos:cut])
        pos = max(pos, cut)
    out += decoder.feed(data[pos:])
    assert _texts(out) == plates
