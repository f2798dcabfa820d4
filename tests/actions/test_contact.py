"""Contact details: checked for form, never guessed."""

from __future__ import annotations

import pytest

from actions.contact import valid_email, valid_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+44 7700 900123", "+44 7700 900123"),  # international, with spaces
        ("(555) 123-4567", "(555) 123-4567"),
        ("0123456", "0123456"),  # 7 digits: the shortest accepted
        ("123456", None),  # too short to be a number we can call
        ("+1 555 123 4567 8901 23", None),  # more than 15 digits
        ("call me maybe", None),
        ("555-CALL-NOW", None),  # letters are not dialled
        ("", None),
    ],
)
def test_phone(text: str, expected: str | None) -> None:
    assert valid_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ana@example.org", "ana@example.org"),
        (" ana.b+trial@mail.example.co.uk. ", "ana.b+trial@mail.example.co.uk"),  # spaces and a final full stop
        ("ana@example", None),  # no top-level domain
        ("ana example.org", None),
        ("<script>@x.org", None),
        ("a" * 250 + "@example.org", None),  # longer than an address can be
    ],
)
def test_email(text: str, expected: str | None) -> None:
    assert valid_email(text) == expected
