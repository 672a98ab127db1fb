from pathlib import Path

import pytest

from qualcode.errors import EmptyFile, NotText
from qualcode.text import collapse_whitespace, decode, for_models, normalise

P = Path("x.txt")


def test_decode_reads_utf8_with_and_without_bom() -> None:
    assert decode("Named nurse: it’s fine".encode(), P) == ("Named nurse: it’s fine", "utf-8")
    text, encoding = decode(b"\xef\xbb\xbfNamed nurse: ok", P)
    assert (text, encoding) == ("Named nurse: ok", "utf-8-sig")


def test_decode_falls_back_to_cp1252_for_windows_files() -> None:
    text, encoding = decode(b"It\x92s \xa3400 a week \x96 too much", P)
    assert encoding == "cp1252"
    assert text == "It’s £400 a week – too much"


@pytest.mark.parametrize("data, error", [(b"", EmptyFile), (b"  \n\t", EmptyFile),
                                         (b"PK\x03\x04\x00\x00binary", NotText),
                                         (bytes(range(1, 32)) * 20, NotText)])
def test_decode_refuses_empty_and_binary(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        decode(data, P)
    assert "x.txt" in str(caught.value)


def test_normalise_keeps_length_so_offsets_hold() -> None:
    original = "“Honestly” – it’s\u00a0better\nnow"
    cleaned = normalise(original)
    assert len(cleaned) == len(original)
    assert cleaned == '"Honestly" - it\'s better now'
    assert collapse_whitespace("  a \n\n b\t c ") == "a b c"
    assert for_models("“Honestly” –  it’s\nfine") == '"Honestly" - it\'s fine'
