"""The sales platforms merchants stream and sell on: one vocabulary for every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    TAOBAO = "taobao", _("Taobao Live")
    KUAISHOU = "kuaishou", _("Kuaishou")
    WECHAT = "wechat", _("WeChat Channels")
    JD = "jd", _("JD")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    TIKTOK = "tiktok", _("TikTok Shop")
