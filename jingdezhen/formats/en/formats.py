"""How dates and times read in English (Django's ``FORMAT_MODULE_PATH``): 3 December 2026,
Thu 3 Dec, 19:30 (the day before the month, a 24-hour clock, as the base's schedules run)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
# Ours (read by ``jingdezhen.templatetags.dates``): a day with its weekday, Thu 3 Dec.
DAY_WEEKDAY_FORMAT = "{weekday} {day}"
# A day of another year than this one, before its weekday: 3 Dec 2025.
OTHER_YEAR_DAY_FORMAT = "j M Y"
