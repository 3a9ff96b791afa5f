"""Country names as Procountor spells them (API_NOTES §3.1, Appendix C).

Procountor uses upper-case English names with underscores instead of ISO
codes. Most follow from the English name; the table lists every name with its
ISO 3166-1 alpha-2 code so nothing depends on how Odoo happens to word a
country.
"""

import re

_ISO_BY_NAME = {
    "AFGHANISTAN": "AF", "ALAND_ISLANDS": "AX", "ALBANIA": "AL", "ALGERIA": "DZ",
    "AMERICAN_SAMOA": "AS", "ANDORRA": "AD", "ANGOLA": "AO", "ANGUILLA": "AI",
    "ANTARCTICA": "AQ", "ANTIGUA_AND_BARBUDA": "AG", "ARGENTINA": "AR",
    "ARMENIA": "AM", "ARUBA": "AW",
    "ASCENSION_AND_TRISTAN_DA_CUNHA_SAINT_HELENA": "SH", "AUSTRALIA": "AU",
    "AUSTRIA": "AT", "AZERBAIJAN": "AZ", "BAHAMAS": "BS", "BAHRAIN": "BH",
    "BANGLADESH": "BD", "BARBADOS": "BB", "BELARUS": "BY", "BELGIUM": "BE",
    "BELIZE": "BZ", "BENIN": "BJ", "BERMUDA": "BM", "BHUTAN": "BT",
    "BOLIVARIAN_REPUBLIC_OF_VENEZUELA": "VE", "BOSNIA_AND_HERZEGOVINA": "BA",
    "BOTSWANA": "BW", "BOUVET_ISLAND": "BV", "BRAZIL": "BR",
    "BRITISH_INDIAN_OCEAN_TERRITORY": "IO", "BRITISH_VIRGIN_ISLANDS": "VG",
    "BRUNEI_DARUSSALAM": "BN", "BULGARIA": "BG", "BURKINA_FASO": "BF",
    "BURUNDI": "BI", "CABO_VERDE": "CV", "CAMBODIA": "KH", "CAMEROON": "CM",
    "CANADA": "CA", "CAYMAN_ISLANDS": "KY", "CENTRAL_AFRICAN_REPUBLIC": "CF",
    "CHAD": "TD", "CHILE": "CL", "CHINA": "CN", "CHRISTMAS_ISLAND": "CX",
    "COCOS_KEELING_ISLANDS": "CC", "COLOMBIA": "CO", "COMOROS": "KM",
    "CONGO": "CG", "COOK_ISLANDS": "CK", "COSTA_RICA": "CR",
    "COTE_D_IVOIRE": "CI", "CROATIA": "HR", "CUBA": "CU", "CURACAO": "CW",
    "CYPRUS": "CY", "CZECH_REPUBLIC": "CZ",
    "DEMOCRATIC_PEOPLE_S_REPUBLIC_OF_KOREA": "KP", "DENMARK": "DK",
    "DJIBOUTI": "DJ", "DOMINICA": "DM", "DOMINICAN_REPUBLIC": "DO",
    "ECUADOR": "EC", "EGYPT": "EG", "EL_SALVADOR": "SV",
    "EQUATORIAL_GUINEA": "GQ", "ERITREA": "ER", "ESTONIA": "EE",
    "ETHIOPIA": "ET", "FALKLAND_ISLANDS_MALVINAS": "FK", "FAROE_ISLANDS": "FO",
    "FEDERATED_STATES_OF_MICRONESIA": "FM", "FIJI": "FJ", "FINLAND": "FI",
    "FRANCE": "FR", "FRENCH_GUIANA": "GF", "FRENCH_POLYNESIA": "PF",
    "FRENCH_SOUTHERN_TERRITORIES": "TF", "GABON": "GA", "GAMBIA": "GM",
    "GEORGIA": "GE", "GERMANY": "DE", "GHANA": "GH", "GIBRALTAR": "GI",
    "GREECE": "GR", "GREENLAND": "GL", "GRENADA": "GD", "GUADELOUPE": "GP",
    "GUAM": "GU", "GUATEMALA": "GT", "GUERNSEY": "GG", "GUINEA": "GN",
    "GUINEA_BISSAU": "GW", "GUYANA": "GY", "HAITI": "HT",
    "HEARD_ISLAND_AND_MCDONALD_ISLANDS": "HM",
    "HOLY_SEE_VATICAN_CITY_STATE": "VA", "HONDURAS": "HN", "HONG_KONG": "HK",
    "HUNGARY": "HU", "ICELAND": "IS", "INDIA": "IN", "INDONESIA": "ID",
    "IRAQ": "IQ", "IRELAND": "IE", "ISLAMIC_REPUBLIC_OF_IRAN": "IR",
    "ISLE_OF_MAN": "IM", "ISRAEL": "IL", "ITALY": "IT", "JAMAICA": "JM",
    "JAPAN": "JP", "JERSEY": "JE", "JORDAN": "JO", "KAZAKHSTAN": "KZ",
    "KENYA": "KE", "KIRIBATI": "KI", "KOSOVO_TEMPORARY": "XK", "KUWAIT": "KW",
    "KYRGYZSTAN": "KG", "LAO_PEOPLE_S_DEMOCRATIC_REPUBLIC": "LA",
    "LATVIA": "LV", "LEBANON": "LB", "LESOTHO": "LS", "LIBERIA": "LR",
    "LIBYA": "LY", "LIECHTENSTEIN": "LI", "LITHUANIA": "LT",
    "LUXEMBOURG": "LU", "MACAO": "MO", "MADAGASCAR": "MG", "MALAWI": "MW",
    "MALAYSIA": "MY", "MALDIVES": "MV", "MALI": "ML", "MALTA": "MT",
    "MARSHALL_ISLANDS": "MH", "MARTINIQUE": "MQ", "MAURITANIA": "MR",
    "MAURITIUS": "MU", "MAYOTTE": "YT", "MEXICO": "MX", "MONACO": "MC",
    "MONGOLIA": "MN", "MONTENEGRO": "ME", "MONTSERRAT": "MS", "MOROCCO": "MA",
    "MOZAMBIQUE": "MZ", "MYANMAR": "MM", "NAMIBIA": "NA", "NAURU": "NR",
    "NEPAL": "NP", "NETHERLANDS": "NL", "NEW_CALEDONIA": "NC",
    "NEW_ZEALAND": "NZ", "NICARAGUA": "NI", "NIGER": "NE", "NIGERIA": "NG",
    "NIUE": "NU", "NORFOLK_ISLAND": "NF", "NORTHERN_IRELAND_TEMPORARY": "XI",
    "NORTHERN_MARIANA_ISLANDS": "MP", "NORWAY": "NO", "OMAN": "OM",
    "PAKISTAN": "PK", "PALAU": "PW", "PANAMA": "PA", "PAPUA_NEW_GUINEA": "PG",
    "PARAGUAY": "PY", "PERU": "PE", "PHILIPPINES": "PH", "PITCAIRN": "PN",
    "PLURINATIONAL_STATE_OF_BOLIVIA": "BO", "POLAND": "PL", "PORTUGAL": "PT",
    "PROVINCE_OF_CHINA_TAIWAN": "TW", "PUERTO_RICO": "PR", "QATAR": "QA",
    "REPUBLIC_OF_KOREA": "KR", "REPUBLIC_OF_MOLDOVA": "MD", "REUNION": "RE",
    "ROMANIA": "RO", "RUSSIAN_FEDERATION": "RU", "RWANDA": "RW",
    "SAINT_BARTHELEMY": "BL", "SAINT_KITTS_AND_NEVIS": "KN",
    "SAINT_LUCIA": "LC", "SAINT_MARTIN_FRENCH_PART": "MF",
    "SAINT_PIERRE_AND_MIQUELON": "PM", "SAINT_VINCENT_AND_THE_GRENADINES": "VC",
    "SAMOA": "WS", "SAN_MARINO": "SM", "SAO_TOME_AND_PRINCIPE": "ST",
    "SAUDI_ARABIA": "SA", "SENEGAL": "SN", "SERBIA": "RS", "SEYCHELLES": "SC",
    "SIERRA_LEONE": "SL", "SINGAPORE": "SG",
    "SINT_EUSTATIUS_AND_SABA_BONAIRE": "BQ", "SINT_MAARTEN_DUTCH_PART": "SX",
    "SLOVAKIA": "SK", "SLOVENIA": "SI", "SOLOMON_ISLANDS": "SB",
    "SOMALIA": "SO", "SOUTH_AFRICA": "ZA",
    "SOUTH_GEORGIA_AND_THE_SOUTH_SANDWICH_ISLANDS": "GS", "SOUTH_SUDAN": "SS",
    "SPAIN": "ES", "SRI_LANKA": "LK", "STATE_OF_PALESTINE": "PS", "SUDAN": "SD",
    "SURINAME": "SR", "SVALBARD_AND_JAN_MAYEN": "SJ", "SWAZILAND": "SZ",
    "SWEDEN": "SE", "SWITZERLAND": "CH", "SYRIAN_ARAB_REPUBLIC": "SY",
    "TAJIKISTAN": "TJ", "THAILAND": "TH",
    "THE_DEMOCRATIC_REPUBLIC_OF_THE_CONGO": "CD",
    "THE_FORMER_YUGOSLAV_REPUBLIC_OF_MACEDONIA": "MK", "TIMOR_LESTE": "TL",
    "TOGO": "TG", "TOKELAU": "TK", "TONGA": "TO", "TRINIDAD_AND_TOBAGO": "TT",
    "TUNISIA": "TN", "TURKEY": "TR", "TURKMENISTAN": "TM",
    "TURKS_AND_CAICOS_ISLANDS": "TC", "TUVALU": "TV", "UGANDA": "UG",
    "UKRAINE": "UA", "UNITED_ARAB_EMIRATES": "AE",
    "UNITED_KINGDOM_OF_GREAT_BRITAIN_AND_NORTHERN_IRELAND": "GB",
    "UNITED_REPUBLIC_OF_TANZANIA": "TZ",
    "UNITED_STATES_MINOR_OUTLYING_ISLANDS": "UM",
    "UNITED_STATES_OF_AMERICA": "US", "URUGUAY": "UY", "UZBEKISTAN": "UZ",
    "U_S_VIRGIN_ISLANDS": "VI", "VANUATU": "VU", "VIET_NAM": "VN",
    "WALLIS_AND_FUTUNA": "WF", "WESTERN_SAHARA": "EH", "YEMEN": "YE",
    "ZAMBIA": "ZM", "ZIMBABWE": "ZW",
}

# Every name has its own code (Northern Ireland and Kosovo use the
# user-assigned XI and XK), so the table inverts without loss.
_NAME_BY_ISO = {iso: name for name, iso in _ISO_BY_NAME.items()}


def normalise_country_name(name):
    """'Finland' / 'finland' / 'FINLAND' -> 'FINLAND'; 'Viet Nam' -> 'VIET_NAM'."""
    return re.sub(r"[^A-Z0-9]+", "_", (name or "").upper()).strip("_")


def procountor_country_to_iso(name):
    """Procountor country (enum or display name) -> ISO alpha-2, or None."""
    return _ISO_BY_NAME.get(normalise_country_name(name))


def iso_to_procountor_country(code):
    """ISO alpha-2 -> Procountor country name, or None when Procountor has none."""
    return _NAME_BY_ISO.get((code or "").upper())
