"""Country names in the reader's language, for the two-letter codes orders carry (buyer_country).

The codes stay in the data, the API and the CSV downloads; pages print the name. A code outside
the list (any ISO 3166 code is accepted) prints as the code itself."""

from django.utils.translation import gettext_lazy as _

COUNTRY_NAMES = {
    "CN": _("China"),
    "HK": _("Hong Kong, China"),
    "MO": _("Macao, China"),
    "TW": _("Taiwan, China"),
    "JP": _("Japan"),
    "KR": _("South Korea"),
    "SG": _("Singapore"),
    "MY": _("Malaysia"),
    "TH": _("Thailand"),
    "VN": _("Vietnam"),
    "ID": _("Indonesia"),
    "PH": _("Philippines"),
    "IN": _("India"),
    "AE": _("United Arab Emirates"),
    "SA": _("Saudi Arabia"),
    "TR": _("Turkey"),
    "IL": _("Israel"),
    "RU": _("Russia"),
    "KZ": _("Kazakhstan"),
    "ZA": _("South Africa"),
    "NG": _("Nigeria"),
    "EG": _("Egypt"),
    "KE": _("Kenya"),
    "US": _("United States"),
    "CA": _("Canada"),
    "MX": _("Mexico"),
    "BR": _("Brazil"),
    "AR": _("Argentina"),
    "CL": _("Chile"),
    "AU": _("Australia"),
    "NZ": _("New Zealand"),
    "GB": _("United Kingdom"),
    "IE": _("Ireland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "NL": _("Netherlands"),
    "BE": _("Belgium"),
    "LU": _("Luxembourg"),
    "CH": _("Switzerland"),
    "AT": _("Austria"),
    "IT": _("Italy"),
    "ES": _("Spain"),
    "PT": _("Portugal"),
    "GR": _("Greece"),
    "SE": _("Sweden"),
    "NO": _("Norway"),
    "DK": _("Denmark"),
    "FI": _("Finland"),
    "PL": _("Poland"),
    "CZ": _("Czechia"),
    "HU": _("Hungary"),
}


def country_name(code) -> str:
    """'ZA' -> 'South Africa' / '南非' in the active language; an unknown code as it is."""
    if not code:
        return ""
    code = str(code).strip().upper()
    name = COUNTRY_NAMES.get(code)
    return str(name) if name is not None else code
