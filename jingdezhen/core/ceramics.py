"""What a piece of Jingdezhen porcelain is: its ware, category, technique, kiln and price tier.

Choices shared by the catalogue (``orders.Product``) and a merchant's specialities.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WareType(models.TextChoices):
    BLUE_AND_WHITE = "blue_white", _("Blue-and-white")
    FAMILLE_ROSE = "famille_rose", _("Famille-rose")
    CELADON = "celadon", _("Celadon")
    LINGLONG = "linglong", _("Linglong (rice-grain)")
    COLOUR_GLAZE = "colour_glaze", _("Colour glaze")
    QINGBAI = "qingbai", _("Qingbai")
    WOOD_FIRED = "wood_fired", _("Wood-fired")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    TEA_SET = "tea_set", _("Tea set")
    CUP = "cup", _("Cup")
    BOWL = "bowl", _("Bowl")
    VASE = "vase", _("Vase")
    PLATE = "plate", _("Plate")
    INCENSE_BURNER = "incense_burner", _("Incense burner")
    FIGURINE = "figurine", _("Figurine")
    TEAPOT = "teapot", _("Teapot")
    OTHER = "other", _("Other")


class Technique(models.TextChoices):
    HAND_THROWN = "hand_thrown", _("Hand-thrown")
    HAND_PAINTED = "hand_painted", _("Hand-painted")
    MOULDED = "moulded", _("Moulded")
    DECAL = "decal", _("Decal")


class Kiln(models.TextChoices):
    WOOD = "wood", _("Wood-fired kiln")
    GAS = "gas", _("Gas kiln")
    ELECTRIC = "electric", _("Electric kiln")


class Tier(models.TextChoices):
    DAILY = "daily", _("Daily-use")
    MEDIUM = "medium", _("Medium")
    HIGH_END = "high_end", _("High-end")
