"""Defaults a community may change per survey or contract (they are data once written).

The five dimensions follow the common owners' satisfaction questionnaires of property service
(保洁、秩序维护、绿化、维修、收费) used in 长沙 estates' annual 物业服务质量测评; the 80 % target is the
figure the issue names (docs/property.md)."""

DIMENSIONS = [
    ("cleaning", "保洁"),
    ("security", "秩序维护"),
    ("greening", "绿化"),
    ("repairs", "维修"),
    ("fees", "收费"),
]
TARGET_PCT = 80
SATISFIED_FROM = 4  # on the five-point scale: 4 (满意) and 5 (非常满意) count as satisfied

# A contract's usual scope: (dimension code, item, standard).
SCOPE_ITEMS = [
    ("cleaning", "楼道及公共区域保洁", "楼道每日清扫，每周拖洗一次"),
    ("cleaning", "生活垃圾清运", "垃圾日产日清，分类投放点整洁"),
    ("security", "门岗与巡逻", "24 小时值守，夜间每 2 小时巡逻一次"),
    ("greening", "绿化养护", "草坪修剪及时，无枯死、无黄土裸露"),
    ("repairs", "共用设施设备维修", "报修 30 分钟内响应，一般维修 24 小时内完成"),
    ("fees", "收费公示", "收费项目、标准和依据在小区显著位置公示"),
]

# The highest fee a contract may state, in fen per m² per month (1 000 元): far above any
# estate's fee (长沙 estates charge about 1–5 元), it only keeps a typing slip or a probing
# client from overflowing the column.
MAX_FEE_FEN = 100_000
