"""The tests' own authenticator app (tests/support.py ``totp``) against the standard's test vectors."""

from __future__ import annotations

import pytest

from tests.support import key_from_secret, totp

# RFC 6238 appendix B, SHA-1, key "12345678901234567890", 8 digits.
RFC_6238 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("at", "code"), RFC_6238)
def test_it_computes_the_rfc_6238_codes(at, code):
    assert totp(b"12345678901234567890", at=at, digits=8) == code


def test_it_gives_the_last_six_digits_for_a_six_digit_app():
    # The same HOTP value cut to 6 digits: 94287082 mod 10^6.
    assert totp(b"12345678901234567890", at=59) == "287082"


def test_it_reads_a_secret_as_typed_into_an_app():
    # base32 of "12345678901234567890" is GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ, shown in groups of four.
    assert key_from_secret("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ") == b"12345678901234567890"
