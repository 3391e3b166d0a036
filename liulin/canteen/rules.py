"""The subsidy table a new community starts from, as data (admin edits it as a new version).

Changsha's 老年助餐 practice for a 12-yuan standard meal: 特困 elders, and 低保 / 空巢 / 失独 /
severely disabled elders over 70, pay 3 yuan (9 yuan subsidy); every other elder over 60 pays
7 yuan (5 yuan subsidy); disabled elders in those groups get delivery free. Ages are whole
years on the day of the meal; "over 70" is read as 70 and older; an elder living alone (独居)
counts as 空巢.
"""

STANDARD_PRICE_FEN = 1200
BASE_SUBSIDY_FEN = 500  # 60+: pays 7 yuan
TIER_SUBSIDY_FEN = 900  # 特困, or 70+ with 低保/空巢/失独/重度残疾: pays 3 yuan

CHANGSHA_RULES = [
    # (min_age, max_age, status code or "", subsidy fen, delivery)
    (60, None, "", BASE_SUBSIDY_FEN, "paid"),
    (60, None, "extreme-poverty", TIER_SUBSIDY_FEN, "paid"),
    (70, None, "minimum-living-allowance", TIER_SUBSIDY_FEN, "paid"),
    (70, None, "empty-nest-elderly", TIER_SUBSIDY_FEN, "paid"),
    (70, None, "living-alone-elderly", TIER_SUBSIDY_FEN, "paid"),  # 独居 is the strictest 空巢
    (70, None, "bereaved-parents", TIER_SUBSIDY_FEN, "paid"),
    (70, None, "severe-disability", TIER_SUBSIDY_FEN, "free"),
    (60, None, "severe-disability", BASE_SUBSIDY_FEN, "free"),
]
MEALS = ("lunch", "dinner")


def rule_rows(table):
    from .models import SubsidyRule

    return [SubsidyRule(table=table, min_age=a, max_age=b, status=s, meal=m, subsidy_fen=f, delivery=d)
            for a, b, s, f, d in CHANGSHA_RULES for m in MEALS]
