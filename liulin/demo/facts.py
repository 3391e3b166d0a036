"""The demo community as data: every fact of the source article about 中南社区 (Zhongnan
community, 高塘岭街道, 望城区, 长沙市), plus the invented parts a working community needs
(grids, estates, partner-unit names) clearly marked as demo.

Only facts live here. Figures the article states as results (77 of 273 students are party
members, 28%) are produced by creating that many rows; the percentages are never stored.
"""

from datetime import date

# Ages are counted at this fixed day so a re-run on another day generates the same people.
REFERENCE_DATE = date(2025, 7, 1)
SEED = 2022  # the year the article's work began

# Real-looking statistical division codes: 长沙市 4301, 望城区 430112.
AREAS = [
    ("city", "430100", "长沙市"),
    ("district", "430112", "望城区"),
    ("subdistrict", "430112001", "高塘岭街道"),
    ("community", "430112001012", "中南社区"),
]
COMMUNITY_CODE = "430112001012"
DISTRICT_CODE = "430112"
SUBDISTRICT_CODE = "430112001"

# Six grids laid out three by two around 28.37N 112.82E; each cell is about 590 m x 550 m.
GRID_ORIGIN = (112.811, 28.365)
GRID_CELL = (0.006, 0.005)
GRID_COLUMNS = 3

# One estate per grid: (estate name, address, number of buildings, floors per building).
ESTATES = [
    ("同心家园", "中传路 18 号", 6, 6),
    ("中南佳苑", "中传路 66 号", 5, 6),
    ("中传花园", "同心路 9 号", 6, 6),
    ("金峰苑", "同心路 31 号", 4, 6),
    ("望湘景苑", "高塘岭大道 102 号", 6, 6),
    ("桃花苑", "高塘岭大道 158 号", 5, 6),
]
ROOMS_PER_FLOOR = 3

# Facilities: (name, kind, fields, parts). Parts are (name, kind, fields).
FACILITIES = [
    (
        "中南社区公共服务中心",
        "centre",
        {
            "floor_area_m2": 1700,
            "equipment": {"楼层": 2, "建筑形式": "四合院式"},
            "description": "建筑面积 1700 平方米的双层四合院式建筑，除服务大厅外包含多个阵地。",
        },
        [
            ("服务大厅", "room", {}),
            ("雷锋超市", "shop", {"description": "志愿服务积分可在此兑换物品。"}),
            ("党员活动室", "room", {}),
            ("妇儿之家", "room", {}),
            ("心理咨询室", "room", {}),
            ("绿色网吧", "room", {}),
            ("儿童书屋", "room", {}),
            ("书法室", "room", {}),
            ("舞蹈室", "room", {}),
        ],
    ),
    (
        "中南小苑",
        "canteen",
        {
            "equipment": {"餐别": ["职工自助工作餐", "户外劳动者工作餐", "老年优享餐"]},
            "description": "结合群众需求引进的社区食堂：职工自助工作餐、户外劳动者工作餐、老年优享餐。",
        },
        [],
    ),
    (
        "青年人才公寓",
        "apartment",
        {"units": 55, "description": "辖区央企移交地方的资产，为青年人才提供公租房。"},
        [],
    ),
    (
        "初心讲堂",
        "hall",
        {
            "address": "中传路",
            "seats": 368,
            "description": "集培训学习、报告讲座、文艺活动等于一体的多功能会议厅。",
        },
        [],
    ),
    (
        "雷锋驿站",
        "station",
        {"address": "同心公园旁"},
        [
            ("日间照料中心", "room", {}),
            ("母婴室", "room", {}),
            ("图书阅览室", "room", {}),
            ("居民议事吧", "room", {}),
            # Facility names are unique per community and the service centre has one too.
            ("雷锋驿站心理咨询室", "room", {}),
            ("文娱室", "room", {}),
            ("器乐室", "room", {}),
            ("乒乓球室", "room", {}),
            ("桌球室", "room", {}),
        ],
    ),
    (
        "同心体育馆",
        "gym",
        {"address": "同心公园内"},
        [
            ("室内舞蹈室", "room", {}),
            ("室内气排球场", "court", {}),
            ("室内乒乓球场", "court", {}),
            ("室内羽毛球场", "court", {}),
            ("室外门球场", "court", {"is_indoor": False}),
            ("室外篮球场", "court", {"is_indoor": False}),
        ],
    ),
    (
        "智慧健身房",
        "gym",
        {
            "floor_area_m2": 100,
            "equipment": {"跑步机": 5, "机械运动器材": "数台"},
            "monthly_fee_fen": 2500,
            "description": "居民家门口的实惠健身房。",
        },
        [("瑜伽操房", "room", {})],
    ),
    (
        "同心公园",
        "park",
        {"area_mu": 31, "address": "社区中心位置", "is_indoor": False},
        [
            ("同心文化大舞台", "stage", {"is_indoor": False}),
            ("慢生活小游园", "park", {"is_indoor": False}),
            ("文化广场", "stage", {"is_indoor": False}),
            ("基础便民健身设施", "court", {"is_indoor": False}),
        ],
    ),
    (
        "同心广场",
        "stage",
        {"is_indoor": False, "description": "文体队伍开展活动的主要场地。"},
        [],
    ),
]

PARTY_GENERAL_BRANCH = "中南社区党总支"
PARTY_OFFICE_BRANCH = "中南社区机关党支部"

# The article names 8 partner units but not which; these names are invented for the demo.
PARTNER_UNITS = [
    "望城区人民医院第三党支部",
    "中国建设银行望城支行党支部",
    "高塘岭中学党支部",
    "国家税务总局长沙市望城区税务局第二党支部",
    "中建五局望城项目部党支部",
    "长沙银行望城支行党支部",
    "望城区图书馆党支部",
    "雷锋纪念馆党支部",
]

PROPERTY_COMPANY = "长沙同心物业管理有限公司"

# Collaborating departments (协同治理部门), attached to the level that runs them.
DEPARTMENTS = [
    ("望城区城市管理和综合执法局", DISTRICT_CODE),
    ("望城区住房和城乡建设局", DISTRICT_CODE),
    ("望城区市场监督管理局", DISTRICT_CODE),
    ("长沙市生态环境局望城分局", DISTRICT_CODE),
    ("望城区供水有限公司", DISTRICT_CODE),
    ("国网长沙市望城区供电公司", DISTRICT_CODE),
    ("高塘岭街道应急管理办公室", SUBDISTRICT_CODE),
    ("高塘岭派出所", SUBDISTRICT_CODE),
]

ENTERPRISES = [
    ("中南小苑餐饮管理有限公司", "经营社区食堂中南小苑。"),
    ("湖南同心居家养老服务有限公司", "专业居家养老服务机构，为老年人开设智能手机分层分级培训课。"),
    ("望城中南便民超市", ""),
    ("湖南中传物流有限公司", ""),
]

ELDERLY_UNIVERSITY = "中南社区老年大学教学点"
# Six courses in seven classes; dance runs two classes. A later app models courses.
ELDERLY_UNIVERSITY_CLASSES = [
    ("声乐", "声乐班"),
    ("舞蹈", "舞蹈一班"),
    ("舞蹈", "舞蹈二班"),
    ("书法", "书法班"),
    ("太极拳", "太极拳班"),
    ("智能手机", "智能手机班"),
    ("民族手工", "民族巧手坊"),
]
ELDERLY_UNIVERSITY_STUDENTS = 273
ELDERLY_UNIVERSITY_PARTY = 77

VETERAN_VOLUNTEERS = "银发生辉志愿服务队"
VETERAN_VOLUNTEER_COUNT = 30
ELDERLY_ASSOCIATION = "中南社区老年人协会"
ELDERLY_ASSOCIATION_COUNT = 60
YOUTH_CARE_STATION = "中南社区“雷锋号”青少年关爱家园"
YOUTH_CARE_VOLUNTEERS = 12

# 17 culture and sports teams: (name, members, party members); 320 members, 120 in the party.
CULTURE_TEAMS = [
    ("常青藤舞蹈队", 30, 12),
    ("银燕腰鼓队", 28, 11),
    ("同心合唱团", 26, 10),
    ("夕阳红模特队", 18, 6),
    ("中南太极拳队", 22, 9),
    ("红枫广场舞队", 24, 8),
    ("花鼓戏曲队", 16, 6),
    ("京剧票友队", 12, 5),
    ("气排球队", 20, 7),
    ("门球队", 16, 8),
    ("乒乓球队", 18, 6),
    ("羽毛球队", 16, 5),
    ("篮球队", 14, 4),
    ("翰墨书法队", 15, 7),
    ("中南旗袍队", 17, 5),
    ("健身气功队", 16, 7),
    ("葫芦丝乐队", 12, 4),
]

# Owners' committees: the article's 24 members, 18 of them party members (75 %). The law
# (住建部《业主大会和业主委员会指导规则》) wants 5 to 11 members and an odd number,
# so 4 per estate over all six estates cannot be right: four estates have a committee
# (9 + 5 + 5 + 5 = 24 members, 6 + 4 + 4 + 4 = 18 party members) and the two smallest
# (金峰苑, 桃花苑) have none yet, their affairs being taken by the residents' committee.
# (estate, members, of whom party members)
COMMITTEES = [
    ("同心家园", 9, 6),
    ("中南佳苑", 5, 4),
    ("中传花园", 5, 4),
    ("望湘景苑", 5, 4),
]
COMMITTEE_TITLES = ["主任", "副主任", "委员"]
