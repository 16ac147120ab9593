"""Who may see a resident's contact details, and what everyone else sees instead. Pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

#: An assigned volunteer sees the address from a day before the visit to a day after it.
VISIT_WINDOW = timedelta(days=1)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def short_name(full_name: str) -> str:
    """The part of a name that is shown to people who may not see the rest.

    Latin names give their first word ("Carmen López" → "Carmen"); Chinese names
    their given name after the one-character surname ("王秀英" → "秀英").
    """
    name = unicodedata.normalize("NFC", full_name).strip()
    if not name:
        return ""
    if _CJK.match(name):
        compact = name.replace(" ", "")
        return compact[1:] if len(compact) >= 3 else compact
    return name.split()[0]


def contact_visible(
    *,
    coordinates_community: bool,
    visits: Iterable[tuple[datetime, datetime]],
    now: datetime,
) -> bool:
    """Coordinators of the resident's community always; an assigned volunteer around the visit."""
    if coordinates_community:
        return True
    return any(
        starts_at - VISIT_WINDOW <= now <= ends_at + VISIT_WINDOW for starts_at, ends_at in visits
    )
