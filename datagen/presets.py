"""Ready-made schemas, so nobody has to write one to start (issue #3, item 3)."""

from __future__ import annotations

from typing import Any

from datagen.errors import UsageError
from datagen.schema import Schema, parse_schema

__all__ = ["PRESETS", "preset_schema"]

_ISO_Z = "%Y-%m-%dT%H:%M:%SZ"

PRESETS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "users": (
        "people with contact details; `id` is the key, `updated_at` the version time",
        [
            {"name": "id", "type": "Row Number"},
            {"name": "first_name", "type": "First Name"},
            {"name": "last_name", "type": "Last Name"},
            {"name": "email", "type": "Email Address"},
            {"name": "gender", "type": "Gender"},
            {"name": "city", "type": "City"},
            {"name": "country", "type": "Country Code"},
            {"name": "balance", "type": "Number", "min": 0, "max": 10000, "decimals": 2},
            {"name": "active", "type": "Boolean"},
            {
                "name": "updated_at",
                "type": "Datetime",
                "min": "01/01/2020",
                "max": "12/31/2024",
                "format": _ISO_Z,
            },
        ],
    ),
    "orders": (
        "shop orders with country, amount, status and payment kind",
        [
            {"name": "id", "type": "Row Number"},
            {"name": "customer_id", "type": "Number", "min": 1, "max": 100000},
            {"name": "country", "type": "Country Code"},
            {"name": "product", "type": "Product Name"},
            {"name": "quantity", "type": "Poisson Distribution", "mean": 2},
            {"name": "amount", "type": "Number", "min": 1, "max": 1000, "decimals": 2},
            {
                "name": "currency",
                "type": "Custom List",
                "values": ["USD", "EUR", "GBP", "JPY"],
                "selectionStyle": "weighted",
                "weights": [50, 30, 15, 5],
            },
            {
                "name": "status",
                "type": "Custom List",
                "values": ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"],
                "selectionStyle": "weighted",
                "weights": [10, 20, 20, 40, 6, 4],
            },
            {
                "name": "kind",
                "type": "Custom List",
                "values": ["credit", "debit"],
                "selectionStyle": "random",
            },
            {
                "name": "created_at",
                "type": "Datetime",
                "min": "01/01/2023",
                "max": "12/31/2024",
                "format": _ISO_Z,
            },
            {
                "name": "updated_at",
                "type": "Datetime",
                "min": "01/01/2023",
                "max": "12/31/2024",
                "format": _ISO_Z,
            },
        ],
    ),
    "events": (
        "click-stream events with nested `user` and `device` objects",
        [
            {"name": "id", "type": "Row Number"},
            {"name": "event_id", "type": "GUID"},
            {
                "name": "type",
                "type": "Custom List",
                "values": ["page_view", "click", "add_to_cart", "purchase", "signup"],
                "selectionStyle": "weighted",
                "weights": [60, 25, 8, 4, 3],
            },
            {"name": "user.id", "type": "Number", "min": 1, "max": 50000},
            {"name": "user.country", "type": "Country Code"},
            {
                "name": "device.os",
                "type": "Custom List",
                "values": ["Android", "iOS", "Windows", "macOS", "Linux"],
                "selectionStyle": "weighted",
                "weights": [40, 30, 18, 9, 3],
            },
            {"name": "device.ip", "type": "IP Address v4"},
            {"name": "url", "type": "URL"},
            {
                "name": "duration_ms",
                "type": "Exponential Distribution",
                "lambda": 0.002,
                "decimals": 0,
            },
            {
                "name": "updated_at",
                "type": "Datetime",
                "min": "01/01/2024",
                "max": "12/31/2024",
                "format": _ISO_Z,
            },
        ],
    ),
    "words": (
        "a text corpus: one line of Zipf-distributed words per record, for word count",
        [
            {"name": "text", "type": "Words", "min": 4, "max": 16, "zipf": 1.1},
        ],
    ),
    "numbers": (
        '"a million random numbers": one whole number per record, for summing',
        [
            {"name": "value", "type": "Number", "min": 0, "max": 1000000},
        ],
    ),
}


def preset_schema(name: str) -> Schema:
    """The schema of preset `name`."""
    if name not in PRESETS:
        raise UsageError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return parse_schema(PRESETS[name][1], source=f"preset {name!r}")
