"""The thresholds of Civil Code art. 278, as data, and exact arithmetic over them.

Art. 278 (2021): 业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二
以上的业主参与表决。决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上
的业主且参与表决人数四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分面积过半数
的业主且参与表决人数过半数的业主同意。

"以上" includes the bound (at least); "过半数" is strictly more than half. Every comparison is
done on integers (areas in square centimetres, heads as counts) by cross-multiplying, so no
float and no rounding can ever decide a vote.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _


class Matter(models.IntegerChoices):
    """民法典第二百七十八条第一款 (1)-(9)."""

    RULES_OF_PROCEDURE = 1, _("（一）制定和修改业主大会议事规则")
    MANAGEMENT_STATUTE = 2, _("（二）制定和修改管理规约")
    COMMITTEE = 3, _("（三）选举业主委员会或者更换业主委员会成员")
    PROPERTY_SERVICE = 4, _("（四）选聘和解聘物业服务企业或者其他管理人")
    USE_FUND = 5, _("（五）使用建筑物及其附属设施的维修资金")
    RAISE_FUND = 6, _("（六）筹集建筑物及其附属设施的维修资金")
    REBUILD = 7, _("（七）改建、重建建筑物及其附属设施")
    COMMON_PARTS = 8, _("（八）改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = 9, _("（九）有关共有和共同管理权利的其他重大事项")


@dataclass(frozen=True)
class Bound:
    """A share that must be reached: `fraction`, inclusive ("以上") or strict ("过半数")."""

    fraction: Fraction
    inclusive: bool
    label: object  # a lazy translation

    def met(self, part, whole):
        """part / whole reaches the bound, in integers. Nothing out of nothing never passes."""
        if whole <= 0:
            return False
        left, right = part * self.fraction.denominator, whole * self.fraction.numerator
        return left >= right if self.inclusive else left > right


TWO_THIRDS = Bound(Fraction(2, 3), True, _("三分之二以上"))
THREE_QUARTERS = Bound(Fraction(3, 4), True, _("四分之三以上"))
MORE_THAN_HALF = Bound(Fraction(1, 2), False, _("过半数"))

# The table: for each matter, the quorum (share of all area and of all owners taking part)
# and the approval (share of the participating area and owners agreeing). Both dimensions
# must reach the bound: area AND headcount.
QUORUM = {matter: TWO_THIRDS for matter in Matter}
APPROVAL = {matter: (THREE_QUARTERS if matter in (Matter.RAISE_FUND, Matter.REBUILD, Matter.COMMON_PARTS) else MORE_THAN_HALF)
            for matter in Matter}


@dataclass(frozen=True)
class Figures:
    """The integers a decision rests on."""

    total_area: int  # all exclusive area, cm²
    total_owners: int  # all owners, by the headcount rules
    voted_area: int  # area of the units whose ballots are counted
    voted_owners: int  # owners who took part
    yes_area: int
    yes_owners: int


@dataclass(frozen=True)
class Decision:
    quorum_area: bool
    quorum_owners: bool
    approval_area: bool
    approval_owners: bool

    @property
    def quorate(self):
        return self.quorum_area and self.quorum_owners

    @property
    def passed(self):
        return self.quorate and self.approval_area and self.approval_owners


def decide(matter, figures):
    quorum, approval = QUORUM[Matter(matter)], APPROVAL[Matter(matter)]
    return Decision(
        quorum_area=quorum.met(figures.voted_area, figures.total_area),
        quorum_owners=quorum.met(figures.voted_owners, figures.total_owners),
        approval_area=approval.met(figures.yes_area, figures.voted_area),
        approval_owners=approval.met(figures.yes_owners, figures.voted_owners),
    )


def format_area(cm2):
    """Square centimetres as square metres with two decimals, exactly (no float)."""
    sign = "-" if cm2 < 0 else ""
    whole, rest = divmod(abs(int(cm2)), 10000)
    return f"{sign}{whole}.{rest // 100:02d}"


def parse_area(text):
    """'89.5' or '89.50' m² -> 895000 cm², exactly; ValueError on anything else."""
    text = str(text).strip()
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 4:
        raise ValueError(text)
    return int(whole) * 10000 + int((frac + "0000")[:4])
