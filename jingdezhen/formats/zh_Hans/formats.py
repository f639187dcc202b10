"""How dates and times read in Chinese (Django's ``FORMAT_MODULE_PATH``): 2026年12月3日,
12月3日 周四, 19:30. Only display formats: the inputs keep ISO dates (``core.widgets``)."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
TIME_FORMAT = "H:i"
# Ours (read by ``jingdezhen.templatetags.dates``): a day with its weekday, 12月3日 周四.
DAY_WEEKDAY_FORMAT = "{day} {weekday}"
# A day of another year than this one, before its weekday: 2025年12月3日.
OTHER_YEAR_DAY_FORMAT = "Y年n月j日"
