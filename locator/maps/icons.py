"""What the map page shows for each vocabulary id: a one-character glyph on a station's pin per
type, an emoji beside each amenity. Keyed by the ids of locator.vocab; a page build fails (and
tests/core/test_vocab.py says which id) when vocab gains an id without one here."""

from __future__ import annotations

from typing import Final

TYPE_GLYPH: Final[dict[str, str]] = {
    "service_station": "工", "warm_station": "暖", "worker_home": "家", "mother_baby_room": "婴",
}  # fmt: skip

AMENITY_ICON: Final[dict[str, str]] = {
    "drinking_water": "💧", "hot_water": "♨️", "microwave": "🍱", "toilet": "🚻", "rest_area": "🛋️",
    "phone_charging": "🔌", "ebike_charging": "🛵", "battery_swap": "🔋", "first_aid": "⛑️", "tire_pump": "🚲",
    "wifi": "📶", "sewing_kit": "🧵", "umbrella": "☂️", "blood_pressure": "🩺", "blood_glucose": "🩸",
    "reading": "📚", "free_cold_drinks": "🧊", "air_conditioning": "❄️", "heating": "🔥", "nursing_room": "🍼",
    "decompression_space": "🥊", "meals": "🍚", "accessible": "♿", "legal_aid": "⚖️", "counseling": "💬",
    "childcare": "🧸",
}  # fmt: skip
