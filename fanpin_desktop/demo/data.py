"""The fixed data the demo township is drawn from: where it is (province to township, ID region
codes), village names, surnames and given-name pools by birth cohort, phone prefixes, work places,
the poverty-monitoring thresholds by year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

PROVINCE, CITY, COUNTY, TOWNSHIP = "安徽省", "六安市", "霍邱县", "马店镇"
COUNTY_CODE = "341522"
OLD_COUNTY_CODE = "342422"  # 六安地区霍邱县 before 2000: older people's IDs still carry it
TOWNSHIP_NO = 1
NEIGHBOUR_CODES = ("341521", "341523", "341524", "341525", "341502", "341503", "341226", "340421")
THRESHOLD_REGION = CITY

VILLAGE_NAMES = (
    "马店村",
    "王楼村",
    "大桥村",
    "新华村",
    "柳岗村",
    "双河村",
    "团结村",
    "黄岗村",
    "石店村",
    "清河村",
    "前进村",
    "高塘村",
    "罗集村",
    "杨湾村",
    "河口村",
    "新集村",
    "陈岗村",
    "五星村",
    "光明村",
    "和平村",
    "唐圩村",
    "李庙村",
    "周集村",
    "孙岗村",
    "赵楼村",
    "花园村",
    "长山村",
    "胜利村",
    "丰收村",
    "兴隆村",
    "三合村",
    "龙潭村",
    "凤凰村",
    "白莲村",
    "新庄村",
    "东湖村",
    "西湖村",
    "南岗村",
    "北店村",
    "金桥村",
    "桃园村",
    "杏花村",
    "张集村",
    "朱店村",
    "刘圩村",
)
NATURAL_SUFFIXES = ("庄", "郢", "圩", "湾", "岗", "楼", "台子", "老庄", "大院", "店")

# Surnames common in western Anhui, roughly by frequency (earlier = more frequent).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤葛"
)
_SURNAME_WEIGHTS = [1.0 / (1 + i * 0.08) for i in range(len(SURNAMES))]

# Given-name characters by birth cohort: (male first, male second, female first, female second).
_NAME_POOLS = {
    "old": (
        "德国家永长学志正道士先传守继广洪振庆宗克世立",
        "福贵富才明华林山海清友发财春成全义章荣胜田根",
        "秀桂玉翠素凤兰春金银月美淑荣",
        "英兰芳珍花梅莲云霞琴华凤芝香枝娥",
    ),
    "mid": (
        "建志永海春国小红卫东伟文明军立勇俊新",
        "军华平伟强东明兵林峰波刚勇杰涛斌辉",
        "丽红小秀晓春海玉桂美慧静翠",
        "霞丽红芳娟梅敏燕萍琴玲艳云",
    ),
    "young": (
        "浩俊子宇志文家佳晨嘉天博鹏思明凯",
        "宇杰轩然涛阳辰鑫磊豪鹏飞航翔博",
        "欣雨佳思梦诗晓雅婷子可",
        "怡萱涵琪婷雪悦彤瑶颖琳",
    ),
    "child": ("梓子浩宇一沐奕俊锦亦", "轩睿泽辰宸诚阳铭航", "梓欣雨一诗语可若紫", "涵萱彤琪诺汐然悦妍"),
}
# Characters outside the BMP / in CJK Extension A, for printing tests (DOMAIN.md §7).
RARE_CHARS = ("㑇", "䶮", "𠮷")

PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
)

WORK_PLACES = {
    "乡（镇）内务工": (f"{COUNTY}{TOWNSHIP}",),
    "乡（镇）外县内务工": (f"{COUNTY}城关镇", f"{COUNTY}经济开发区", f"{COUNTY}周集镇"),
    "县外省内务工": ("安徽省合肥市", "安徽省六安市", "安徽省芜湖市", "安徽省滁州市"),
    "省外务工": (
        "江苏省苏州市",
        "江苏省无锡市",
        "江苏省南京市",
        "浙江省杭州市",
        "浙江省宁波市",
        "上海市",
        "广东省深圳市",
        "广东省东莞市",
        "北京市",
    ),
    "其他": ("灵活就业",),
}
_WORK_STATUS_WEIGHTS = (
    ("省外务工", 40),
    ("县外省内务工", 25),
    ("乡（镇）外县内务工", 15),
    ("乡（镇）内务工", 15),
    ("其他", 5),
)
_EMPLOYERS = ("建筑工地", "电子厂", "服装厂", "物流公司", "餐饮店", "机械厂", "家政公司")

THRESHOLDS = (
    (2021, "全国", Decimal(6000), "国乡振发〔2021〕8号", dt.date(2021, 5, 1)),
    (2022, CITY, Decimal(7000), "六乡振〔2022〕15号", dt.date(2022, 5, 1)),
    (2023, CITY, Decimal(7600), "六乡振〔2023〕9号", dt.date(2023, 4, 1)),
    (2024, CITY, Decimal(8100), "六农〔2024〕21号", dt.date(2024, 4, 1)),
    (2025, CITY, Decimal(8600), "六农〔2025〕12号", dt.date(2025, 4, 1)),
)

DEMO_MARK = "生成演示数据"
