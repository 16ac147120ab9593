"""The words of calendar feeds and links, in English, Chinese and Spanish."""

# Chinese text is written with Chinese (full-width) punctuation, on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "personal_name": "Rounds: {name}",
        "coordinator_name": "Rounds: coordination",
        "feed_description": "Your Rounds calendar. Reminders come from Rounds itself; "
        "alarms in this calendar are a bonus your calendar app may ignore.",
        "public_description": "Events of {name}, published with Rounds. "
        "Volunteers are welcome: each event names whom to contact.",
        "position": "Position",
        "team": "Team",
        "with": "With",
        "on_it": "Who is on it",
        "nobody": "nobody yet",
        "filled": "{filled} of {capacity} places taken",
        "places_open": "{count} places open: volunteers welcome",
        "pending": "Not confirmed yet: please accept or decline.",
        "respond": "Accept or decline",
        "accept": "Accept",
        "decline": "Decline",
        "contact": "Contact",
        "event": "Event",
        "open_place": "Open place",
        "cancelled": "Cancelled",
        "draft": "Draft",
        "short": "short",
        "help": "Subscribe in your calendar app with this address; it updates by itself. "
        "Reminders come from Rounds itself (e-mail or message): Google Calendar ignores "
        "alarms in subscribed calendars and Apple Calendar removes them by default. "
        "Anyone with the address can read the calendar: rotate it if it leaks.",
    },
    "zh": {
        "personal_name": "志愿排班：{name}",
        "coordinator_name": "志愿排班：协调",
        "feed_description": "你的志愿排班日历。提醒由本系统发送；"
        "日历中的提醒仅作补充，日历应用可能忽略。",
        "public_description": "{name}的社区活动日历。欢迎参加志愿服务，每项活动都写明了联系人。",
        "position": "岗位",
        "team": "队伍",
        "with": "同行",
        "on_it": "已安排",
        "nobody": "暂无",
        "filled": "已占 {filled}/{capacity} 个名额",
        "places_open": "还有 {count} 个名额，欢迎报名",
        "pending": "尚未确认：请接受或拒绝。",
        "respond": "接受或拒绝",
        "accept": "接受",
        "decline": "拒绝",
        "contact": "联系人",
        "event": "活动",
        "open_place": "空缺名额",
        "cancelled": "已取消",
        "draft": "草稿",
        "short": "缺人",
        "help": "在日历应用中用此地址订阅，日历会自动更新。提醒由本系统通过邮件或消息发送："
        "Google 日历会忽略订阅日历中的提醒，苹果日历默认会删除提醒。"
        "任何拿到地址的人都能看到日历，如有泄露请更换地址。",
    },
    "es": {
        "personal_name": "Rounds: {name}",
        "coordinator_name": "Rounds: coordinación",
        "feed_description": "Tu calendario de Rounds. Los recordatorios los envía Rounds; "
        "las alarmas de este calendario son un extra que tu aplicación puede ignorar.",
        "public_description": "Actividades de {name}, publicadas con Rounds. "
        "Se buscan voluntarios: cada actividad indica a quién contactar.",
        "position": "Puesto",
        "team": "Equipo",
        "with": "Con",
        "on_it": "Quién va",
        "nobody": "nadie todavía",
        "filled": "{filled} de {capacity} plazas ocupadas",
        "places_open": "{count} plazas libres: se buscan voluntarios",
        "pending": "Sin confirmar: acepta o rechaza, por favor.",
        "respond": "Aceptar o rechazar",
        "accept": "Aceptar",
        "decline": "Rechazar",
        "contact": "Contacto",
        "event": "Actividad",
        "open_place": "Plaza libre",
        "cancelled": "Cancelada",
        "draft": "Borrador",
        "short": "faltan personas",
        "help": "Suscríbete con esta dirección en tu aplicación de calendario; se actualiza sola. "
        "Los recordatorios los envía Rounds (correo o mensaje): Google Calendar ignora las "
        "alarmas de los calendarios suscritos y Apple Calendar las quita por defecto. "
        "Quien tenga la dirección puede leer el calendario: cámbiala si se filtra.",
    },
}


def text(locale: str, key: str, **values: object) -> str:
    words = TEXTS.get(locale) or TEXTS["en"]
    return words[key].format(**values) if values else words[key]
