from django import template

from jingdezhen.core.countries import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code) -> str:
    """``{{ code|country_name }}``: ZA reads 南非 in Chinese, South Africa in English."""
    return _country_name(code)
