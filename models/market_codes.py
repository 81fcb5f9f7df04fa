"""Markets (ISO 3166-1 alpha-2 country codes) and the selling platforms a requirement can name."""

from __future__ import annotations

ISO_COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI
    BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN
    CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

# Sellers and Amazon say UK; ISO says GB.
MARKET_ALIASES = {"UK": "GB"}

# The markets offered in pick lists, with their names: (code, English, Chinese).
COMMON_MARKETS: tuple[tuple[str, str, str], ...] = (
    ("US", "United States", "美国"),
    ("CA", "Canada", "加拿大"),
    ("MX", "Mexico", "墨西哥"),
    ("BR", "Brazil", "巴西"),
    ("GB", "United Kingdom", "英国"),
    ("DE", "Germany", "德国"),
    ("FR", "France", "法国"),
    ("IT", "Italy", "意大利"),
    ("ES", "Spain", "西班牙"),
    ("NL", "Netherlands", "荷兰"),
    ("PL", "Poland", "波兰"),
    ("SE", "Sweden", "瑞典"),
    ("BE", "Belgium", "比利时"),
    ("IE", "Ireland", "爱尔兰"),
    ("AT", "Austria", "奥地利"),
    ("CH", "Switzerland", "瑞士"),
    ("TR", "Türkiye", "土耳其"),
    ("AE", "United Arab Emirates", "阿联酋"),
    ("SA", "Saudi Arabia", "沙特阿拉伯"),
    ("JP", "Japan", "日本"),
    ("KR", "South Korea", "韩国"),
    ("AU", "Australia", "澳大利亚"),
    ("NZ", "New Zealand", "新西兰"),
    ("SG", "Singapore", "新加坡"),
    ("MY", "Malaysia", "马来西亚"),
    ("TH", "Thailand", "泰国"),
    ("VN", "Vietnam", "越南"),
    ("PH", "Philippines", "菲律宾"),
    ("ID", "Indonesia", "印度尼西亚"),
    ("TW", "Taiwan", "台湾"),
    ("HK", "Hong Kong", "香港"),
    ("IN", "India", "印度"),
    ("CN", "China", "中国"),
)

KNOWN_PLATFORMS = (
    "amazon",
    "shopee",
    "tiktok",
    "temu",
    "shein",
    "shopify",
    "lazada",
    "aliexpress",
    "ebay",
    "walmart",
    "mercadolibre",
    "rakuten",
    "etsy",
    "noon",
    "ozon",
    "own",
)

PLATFORM_ALIASES = {
    "tiktokshop": "tiktok",
    "tiktok-shop": "tiktok",
    "tts": "tiktok",
    "亚马逊": "amazon",
    "虾皮": "shopee",
    "抖音": "tiktok",
    "速卖通": "aliexpress",
    "独立站": "own",
    "ownstore": "own",
    "own-store": "own",
}


def normalise_market(code: str) -> str | None:
    """The ISO code for what a user typed, or None when it is no country code."""
    upper = code.strip().upper()
    upper = MARKET_ALIASES.get(upper, upper)
    return upper if upper in ISO_COUNTRY_CODES else None


def normalise_platform(name: str) -> str:
    key = name.strip().lower()
    return PLATFORM_ALIASES.get(key, key)
