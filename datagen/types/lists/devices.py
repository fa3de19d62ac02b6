"""Mobile devices: brand, model, the OS it shipped with, and its release date (public facts,
hand-picked; release dates are the first retail availability we know of, to the day where
known and otherwise approximate)."""

from __future__ import annotations

__all__ = ["DEVICES"]

# (brand, model, OS, release date)
DEVICES: tuple[tuple[str, str, str, str], ...] = (
    ("Apple", "iPhone 11", "iOS 13", "2019-09-20"),
    ("Apple", "iPhone 11 Pro", "iOS 13", "2019-09-20"),
    ("Apple", "iPhone SE (2nd generation)", "iOS 13", "2020-04-24"),
    ("Apple", "iPhone 12", "iOS 14", "2020-10-23"),
    ("Apple", "iPhone 13", "iOS 15", "2021-09-24"),
    ("Apple", "iPhone 14", "iOS 16", "2022-09-16"),
    ("Apple", "iPhone 15", "iOS 17", "2023-09-22"),
    ("Apple", "iPhone 15 Pro Max", "iOS 17", "2023-09-22"),
    ("Apple", "iPad Air (4th generation)", "iPadOS 14", "2020-10-23"),
    ("Samsung", "Galaxy S10", "Android 9", "2019-03-08"),
    ("Samsung", "Galaxy Note 10", "Android 9", "2019-08-23"),
    ("Samsung", "Galaxy S20", "Android 10", "2020-03-06"),
    ("Samsung", "Galaxy S21", "Android 11", "2021-01-29"),
    ("Samsung", "Galaxy A52", "Android 11", "2021-03-26"),
    ("Samsung", "Galaxy S22", "Android 12", "2022-02-25"),
    ("Samsung", "Galaxy Z Flip4", "Android 12", "2022-08-26"),
    ("Samsung", "Galaxy S23", "Android 13", "2023-02-17"),
    ("Samsung", "Galaxy S24", "Android 14", "2024-01-31"),
    ("Google", "Pixel 4", "Android 10", "2019-10-24"),
    ("Google", "Pixel 5", "Android 11", "2020-10-29"),
    ("Google", "Pixel 6", "Android 12", "2021-10-28"),
    ("Google", "Pixel 7", "Android 13", "2022-10-13"),
    ("Google", "Pixel 8", "Android 14", "2023-10-12"),
    ("OnePlus", "OnePlus 8", "Android 10", "2020-04-29"),
    ("OnePlus", "OnePlus 9", "Android 11", "2021-03-26"),
    ("OnePlus", "OnePlus 11", "Android 13", "2023-02-16"),
    ("Xiaomi", "Mi 10", "Android 10", "2020-02-14"),
    ("Xiaomi", "Redmi Note 10", "Android 11", "2021-03-16"),
    ("Xiaomi", "13", "Android 13", "2022-12-14"),
    ("Motorola", "Moto G Power", "Android 10", "2020-04-16"),
    ("Motorola", "Edge", "Android 10", "2020-05-14"),
    ("Huawei", "P30", "Android 9", "2019-03-26"),
    ("Huawei", "P40", "Android 10", "2020-04-07"),
    ("Sony", "Xperia 1 II", "Android 10", "2020-05-22"),
    ("Nokia", "G50", "Android 11", "2021-10-01"),
)
