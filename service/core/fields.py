"""Marshmallow fields shared by every domain's schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma

from service.core.config import SUPPORTED_LOCALES, is_valid_timezone, normalize_locale


class ZonedDateTime(ma.fields.AwareDateTime):
    """An instant: read with its offset (a naive time is refused), written in a zone.

    On output the value is shown in the zone named by ``zone_attribute`` of the
    object being dumped (an event's ``timezone``), so a client sees the local time
    of the place with its offset: ``2026-12-01T20:00:00+08:00``.
    """

    default_error_messages = {
        "invalid_awareness": "Give the time with its offset, e.g. 2026-12-01T20:00:00+08:00.",
    }

    def __init__(self, zone_attribute: str | None = "timezone", **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)
        self.zone_attribute = zone_attribute

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any):
        if value is None:
            return None
        zone_name = getattr(obj, self.zone_attribute, None) if self.zone_attribute else None
        if zone_name:
            value = value.astimezone(ZoneInfo(zone_name))
        return value.isoformat()


class Timezone(ma.fields.String):
    """An IANA time zone name."""

    default_error_messages = {
        "invalid_zone": "{value!r} is not an IANA time zone (e.g. Asia/Shanghai).",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        if not is_valid_timezone(name):
            raise self.make_error("invalid_zone", value=name)
        return name


class Locale(ma.fields.String):
    """One of the supported interface languages; common tags such as zh-CN are accepted."""

    default_error_messages = {
        "invalid_locale": f"Use one of {', '.join(SUPPORTED_LOCALES)}.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        tag = super()._deserialize(value, attr, data, **kwargs)
        locale = normalize_locale(tag)
        if locale is None:
            raise self.make_error("invalid_locale")
        return locale


class LanguageCode(ma.fields.String):
    """A spoken language as an ISO 639 code (``zh``, ``es``, ``yue``)."""

    default_error_messages = {"invalid_language": "{value!r} is not a language code."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        from babel import Locale as BabelLocale
        from babel.core import UnknownLocaleError

        code = super()._deserialize(value, attr, data, **kwargs).strip().replace("_", "-")
        try:
            parsed = BabelLocale.parse(code, sep="-")
        except (ValueError, UnknownLocaleError):
            raise self.make_error("invalid_language", value=code) from None
        return parsed.language


class Schema(ma.Schema):
    """Base schema: unknown fields are an error, so a typo is never silently ignored."""

    class Meta:
        unknown = ma.RAISE


class PatchSchema(Schema):
    """Every field optional: the shape of a PATCH made from a create schema."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class QuerySchema(Schema):
    """Base for query-string filters; an unknown filter is an error, not ignored.

    ``page`` and ``page_size`` are read by flask-smorest's pagination, so they are
    set aside here.
    """

    PAGINATION_ARGUMENTS = ("page", "page_size")

    @ma.pre_load
    def _set_aside_pagination(self, data: Any, **kwargs: Any) -> Any:
        # webargs' proxy answers lists for list fields and scalars otherwise; keep that.
        return {key: data[key] for key in data if key not in self.PAGINATION_ARGUMENTS}
