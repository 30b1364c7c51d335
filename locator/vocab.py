"""Stable vocabulary of the product contract: station types, amenities, statuses.

Ids are fixed (the API, files and tests use them); every id has a Chinese label shown to
workers and an English label for docs. Extend only by adding ids, never by renaming.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Term(NamedTuple):
    id: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


STATION_TYPES: Final[tuple[Term, ...]] = (
    Term("service_station", "工会服务站", "union service station"),
    Term("warm_station", "暖心驿站", "warm station for outdoor workers", ("户外劳动者服务站点", "户外劳动者服务站")),
    Term("worker_home", "职工之家", "worker home"),
    Term("mother_baby_room", "母婴关爱室", "mother-and-baby room"),
)

AMENITIES: Final[tuple[Term, ...]] = (
    Term("drinking_water", "饮水", "drinking water"),
    Term("hot_water", "热水", "hot water"),
    Term("microwave", "热饭", "microwave (heat a meal)", ("微波炉",)),
    Term("toilet", "如厕", "toilet", ("厕所", "卫生间")),
    Term("rest_area", "休息", "rest area (seats, sofa)", ("座椅", "沙发")),
    Term("phone_charging", "手机充电", "phone charging"),
    Term("ebike_charging", "电动车充电", "e-bike charging"),
    Term("battery_swap", "换电柜", "battery swap cabinet"),
    Term("first_aid", "急救药箱", "first-aid kit", ("药箱", "急救箱")),
    Term("tire_pump", "打气筒", "tyre pump"),
    Term("wifi", "无线网络", "Wi-Fi", ("WiFi", "Wi-Fi")),
    Term("sewing_kit", "针线包", "sewing kit"),
    Term("umbrella", "共享雨伞", "shared umbrellas", ("雨伞",)),
    Term("blood_pressure", "血压计", "blood-pressure monitor"),
    Term("blood_glucose", "血糖仪", "blood-glucose meter"),
    Term("reading", "书报", "newspapers and books", ("职工书屋", "书屋", "阅报栏")),
    Term("free_cold_drinks", "爱心冰柜", "free cold drinks"),
    Term("air_conditioning", "空调", "air conditioning"),
    Term("heating", "取暖", "heating"),
    Term("nursing_room", "母婴室", "nursing room"),
    Term("decompression_space", "减压空间", "decompression space"),
    Term("meals", "爱心餐", "free meals"),
    Term("accessible", "无障碍", "wheelchair accessible"),
    Term("legal_aid", "法律咨询", "legal advice"),
    Term("counseling", "心理咨询", "counselling"),
    Term("childcare", "托管", "childcare", ("早教", "托管 / 早教")),
)

STATUSES: Final[tuple[Term, ...]] = (
    Term("open", "正常开放", "open", ("开放", "正常", "营业")),
    Term("temporarily_closed", "暂停开放", "temporarily closed", ("暂停", "暂停服务", "临时关闭", "暂时关闭")),
    Term("closed", "已关闭", "closed for good", ("关闭", "已撤销", "撤销", "停用")),
)

COORD_PRECISIONS: Final[tuple[Term, ...]] = (
    Term("exact", "精确位置", "exact"),
    Term("approximate", "大致位置", "approximate (street or landmark level)"),
)

ACCESS: Final[tuple[Term, ...]] = (
    Term("public", "向社会开放", "open to everyone"),
    Term("outdoor_workers", "户外劳动者", "outdoor workers"),
    Term("members", "工会会员", "union members"),
    Term("employees", "本单位职工", "the host's own employees"),
)

TYPE_IDS: Final[tuple[str, ...]] = tuple(t.id for t in STATION_TYPES)
AMENITY_IDS: Final[tuple[str, ...]] = tuple(a.id for a in AMENITIES)
STATUS_IDS: Final[tuple[str, ...]] = tuple(s.id for s in STATUSES)
PRECISION_IDS: Final[tuple[str, ...]] = tuple(p.id for p in COORD_PRECISIONS)
ACCESS_IDS: Final[tuple[str, ...]] = tuple(a.id for a in ACCESS)

#: Bit position of each amenity in the index's amenity bitmask (order of AMENITIES; append only).
AMENITY_BIT: Final[dict[str, int]] = {a: i for i, a in enumerate(AMENITY_IDS)}
TYPE_CODE: Final[dict[str, int]] = {t: i for i, t in enumerate(TYPE_IDS)}

TYPE_ZH: Final[dict[str, str]] = {t.id: t.zh for t in STATION_TYPES}
AMENITY_ZH: Final[dict[str, str]] = {a.id: a.zh for a in AMENITIES}


def _alias_table(terms: tuple[Term, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for term in terms:
        for name in (term.id, term.zh, *term.aliases):
            table[name.strip().lower()] = term.id
    return table


_TYPE_ALIASES: Final = _alias_table(STATION_TYPES)
_AMENITY_ALIASES: Final = _alias_table(AMENITIES)
_STATUS_ALIASES: Final = _alias_table(STATUSES)
_ACCESS_ALIASES: Final = _alias_table(ACCESS)


def type_id(name: str) -> str | None:
    """The type id for an id or a Chinese label/alias (spreadsheets use either); None if unknown."""
    return _TYPE_ALIASES.get(name.strip().lower())


def amenity_id(name: str) -> str | None:
    """The amenity id for an id or a Chinese label/alias; None if unknown."""
    return _AMENITY_ALIASES.get(name.strip().lower())


def status_id(name: str) -> str | None:
    """The status id for an id or a Chinese label; None if unknown."""
    return _STATUS_ALIASES.get(name.strip().lower())


def access_id(name: str) -> str | None:
    """The access id for an id or a Chinese label (向社会开放, 户外劳动者…); None if unknown."""
    return _ACCESS_ALIASES.get(name.strip().lower())
