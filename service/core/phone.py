"""Phone numbers as people type them, made comparable."""

from __future__ import annotations

import re

MIN_DIGITS = 6
MAX_DIGITS = 18


def normalize_phone(phone: str) -> str:
    """Digits only, with a leading + for international numbers (``0034`` becomes ``+34``)."""
    phone = phone.strip()
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    return digits


def is_plausible_phone(phone: str) -> bool:
    return MIN_DIGITS <= len(normalize_phone(phone).lstrip("+")) <= MAX_DIGITS
