"""etl.quantities: the forms amounts take in our articles, one real case per line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.quantities import Quantity, find_quantities, parse_quantity, read_numeral

ROOT = Path(__file__).resolve().parent.parent
GOLD = Path("/work/shared/gold/seeds.jsonl")
SEEDS = ROOT / "seeds"


def only(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


# (sentence as written, raw_text, value, unit, qualifier)
FOUND_IN_SENTENCES = [
    ("投资近2亿元的河南省煤田地质局嵩阳苑改造项目", "2亿元", 2e8, "CNY", "nearly"),
    ("招商引资额达到4亿元", "4亿元", 4e8, "CNY", "exact"),
    ("2007年财政税收实现超五千万元的新突破", "五千万元", 5e7, "CNY", "more_than"),
    ("先后投资200多万元,按照“一厅六室”", "200多万元", 2e6, "CNY", "more_than"),
    ("筹资20余万元,对丰乐北路", "20余万元", 2e5, "CNY", "more_than"),
    ("小广告1万余处", "1万余处", 1e4, "item", "more_than"),
    ("累计拆除违章建筑15000余平方米", "15000余平方米", 15000, "m2", "more_than"),
    ("5个社区办公用房面积达到400㎡", "400㎡", 400, "m2", "exact"),
    ("拆除30余亩土地上违法建筑", "30余亩", 20000, "m2", "more_than"),
    ("改造占地近67亩的郑州光华燃料公司厂区", "67亩", 44666.67, "m2", "nearly"),
    ("总面积33.1平方公里", "33.1平方公里", 33_100_000, "m2", "exact"),
    ("已完成总工程量的2/3", "2/3", 66.67, "percent", "exact"),
    ("单月财政创收达到亿元的乡镇", "亿元", 1e8, "CNY", "exact"),
    ("签订征收补偿协议上百户", "百户", 100, "household", "more_than"),
    ("180多家非公有制企业的千余名党员", "180多家", 180, "item", "more_than"),
    ("实现299户拆迁居民除一户外全部签订协议", "299户", 299, "household", "exact"),
    ("出动大铲车两辆", "两辆", 2, "item", "exact"),
    ("居民住宅9栋共299户", "9栋", 9, "item", "exact"),
    ("财政收入总规模达到2013年的3倍", "3倍", 3, "multiple", "exact"),
    ("收入增长到去年的4倍多", "4倍", 4, "multiple", "more_than"),
    ("比上年提高2.5个百分点", "2.5个百分点", 2.5, "percentage_point", "exact"),
    ("保障1298人次", "1298人次", 1298, "person_time", "exact"),
    ("开展活动2300多次", "2300多次", 2300, "times", "more_than"),
    ("各社区开展教育会159场", "159场", 159, "times", "exact"),
    ("已举办集中教育大会17期", "17期", 17, "times", "exact"),
    ("应急指挥、视频监控等6大模块,完善了", "6大模块", 6, "item", "exact"),
    ("点评问题20大类", "20大类", 20, "item", "exact"),
    ("全国阀门市场占有率达到60%以上", "60%", 60, "percent", "more_than"),
    ("公共单位已签约4处", "4处", 4, "item", "exact"),
    ("占一线优秀员工的比例高达78.9%。", "78.9%", 78.9, "percent", "exact"),
    ("总人口约15万人。", "15万人", 150_000, "person", "approx"),
    ("排查出各类矛盾问题15882起", "15882起", 15882, "case", "exact"),
    ("消防、民政、信访等问题19000余件。", "19000余件", 19000, "case", "more_than"),
    ("办实事办好事4200余件,构建了", "4200余件", 4200, "item", "more_than"),
    ("新增城镇就业2602人,", "2602人", 2602, "person", "exact"),
    ("招聘10名保洁员", "10名", 10, "person", "exact"),
    ("全区56位县处级领导干部", "56位", 56, "person", "exact"),
    ("查处案件3宗", "3宗", 3, "case", "exact"),
    ("新增病例12例", "12例", 12, "case", "exact"),
    ("项目总投资3至5亿元", "3至5亿元", 3e8, "CNY", "more_than"),
    ("每户补贴3-5万元", "3-5万元", 3e4, "CNY", "more_than"),
    ("进口设备1200万美元", "1200万美元", 12e6, "USD", "exact"),
    ("占地20公顷", "20公顷", 200_000, "m2", "exact"),
    ("修建道路3.5公里", "3.5公里", 3500, "m", "exact"),
    ("清运垃圾1,200吨", "1,200吨", 1200, "ton", "exact"),
    ("清运垃圾1，200吨", "1，200吨", 1200, "ton", "exact"),
    ("共１２３户", "１２３户", 123, "household", "exact"),
    ("办结率达９９％", "９９％", 99, "percent", "exact"),
    ("办结率达百分之九十", "百分之九十", 90, "percent", "exact"),
    ("完成了三分之二", "三分之二", 66.67, "percent", "exact"),
    ("发放慰问金一千二百三十四元", "一千二百三十四元", 1234, "CNY", "exact"),
    ("收到捐款壹仟玖佰圆整。", "壹仟玖佰圆整", 1900, "CNY", "exact"),
    ("完成税收5.39亿元", "5.39亿元", 5.39e8, "CNY", "exact"),
    ("筹集资金2万5千元", "2万5千元", 25000, "CNY", "exact"),
    ("投入3千万元", "3千万元", 3e7, "CNY", "exact"),
    ("吸纳1.2万余人就业", "1.2万余人", 12000, "person", "more_than"),
    ("新建廿二个网格", "廿二个", 22, "item", "exact"),
    ("改造过亿元的项目", "亿元", 1e8, "CNY", "more_than"),
    ("带来数亿元收益", "数亿元", 1e8, "CNY", "more_than"),
    ("惠及上千人", "千人", 1000, "person", "more_than"),
    ("不足50人", "50人", 50, "person", "less_than"),
    ("建筑面积20万平方米左右", "20万平方米", 200_000, "m2", "approx"),
    ("月收入1000元以下", "1000元", 1000, "CNY", "less_than"),
    ("投资突破180亿元", "180亿元", 1.8e10, "CNY", "more_than"),
    ("外来人口逾3万人", "3万人", 30000, "person", "more_than"),
    ("约有零个", "零个", 0, "item", "exact"),
    ("共有〇个", "〇个", 0, "item", "exact"),
    ("投入50多万元整合了原有的数字", "50多万元", 5e5, "CNY", "more_than"),
    ("组织三个人的工作专班", "三个", 3, "item", "exact"),
    ("惠及上千家企业", "千家", 1000, "item", "more_than"),
    ("发放补贴123元1角1分", "123元1角1分", 123.11, "CNY", "exact"),
    ("比上年提高1百分点", "1百分点", 1, "percentage_point", "exact"),
    ("带来数十亿元收益", "数十亿元", 1e9, "CNY", "more_than"),
    ("月薪15k元", "15k元", 15000, "CNY", "exact"),
    ("三成居民参与", "三成", 30, "percent", "exact"),
    ("补贴50万元(含)以上的项目", "50万元", 5e5, "CNY", "more_than"),
    ("修建绿道12千米", "12千米", 12000, "m", "exact"),
    ("收购小麦2.3千克", "2.3千克", 0.0023, "ton", "exact"),
    ("网格化管理平台共收集各类问题8652件,已解决8601件", "8601件", 8601, "case", "exact"),  # 城厢街道 2019
    ("共受理群众诉求320件,办结315件", "315件", 315, "case", "exact"),
    ("排查安全隐患56处,发放宣传资料3000件", "3000件", 3000, "item", "exact"),
    ("出动大型机械45台次", "45台次", 45, "times", "exact"),  # 龙湖镇 2017
    ("城镇登记失业率控制在3.2%以内", "3.2%", 3.2, "percent", "less_than"),  # 大智街道 2016
    ("村里集资二十几万元修路", "二十几万元", 2e5, "CNY", "more_than"),
]


# Forms met in real articles (issue 11), one mechanism per block; sentences written for the test.
REAL_TEXT_FORMS = [
    # 万/亿 with no 元 is money where a money word stands just before it in the clause
    ("今年1-5月财政收入突破3亿大关", "3亿", 3e8, "CNY", "more_than"),
    ("签约引进投资20亿的文旅项目", "20亿", 2e9, "CNY", "exact"),
    ("项目总投资6600万,年内开工", "6600万", 6.6e7, "CNY", "exact"),
    ("全年实现税收1.2亿,同比增长8%", "1.2亿", 1.2e8, "CNY", "exact"),
    ("完成固定资产投资约4.5亿", "4.5亿", 4.5e8, "CNY", "approx"),
    ("注册资金1000万以上的企业", "1000万", 1e7, "CNY", "more_than"),
    ("奖励资金共计50万。", "50万", 5e5, "CNY", "exact"),
    ("带动社会投资2亿多,新增就业300人", "2亿多", 2e8, "CNY", "more_than"),
    ("发放补贴资金5万余,惠及困难群众", "5万余", 5e4, "CNY", "more_than"),
    # one space between a number in digits and its unit stays in raw_text
    ("拆除违章建筑12000 平方米,清理杂物", "12000 平方米", 12000, "m2", "exact"),
    ("粉刷墙面 3500 平方米。", "3500 平方米", 3500, "m2", "exact"),
    ("共走访群众 260 户", "260 户", 260, "household", "exact"),
    # 方 / 万方 / 平方 for a building area are m2; 平方千米 = 平方公里
    ("该地块建筑面积约2.6万方,已腾空", "2.6万方", 26000, "m2", "approx"),
    ("涉及征收面积8万余方", "8万余方", 80000, "m2", "more_than"),
    ("累计拆除违建3000方", "3000方", 3000, "m2", "exact"),
    ("拆除面积1万平方", "1万平方", 10000, "m2", "exact"),
    ("辖区面积4.5平方千米", "4.5平方千米", 4.5e6, "m2", "exact"),
    # measure words of things and trips
    ("拆除违法建筑8宗", "8宗", 8, "item", "exact"),
    ("完成交地12宗", "12宗", 12, "item", "exact"),
    ("调处土地纠纷5宗", "5宗", 5, "case", "exact"),
    ("发放大米120袋、食用油80桶", "120袋", 120, "item", "exact"),
    ("发放大米120袋、食用油80桶", "80桶", 80, "item", "exact"),
    ("养殖肉牛36头", "36头", 36, "item", "exact"),
    ("清理垃圾堆15堆", "15堆", 15, "item", "exact"),
    ("出动车辆40辆次,清运垃圾", "40辆次", 40, "times", "exact"),
    ("清运车200余车次", "200余车次", 200, "times", "more_than"),
    ("新建安置房600套", "600套", 600, "item", "exact"),
    ("出动无人机巡查120架次", "120架次", 120, "times", "exact"),
    ("走访辖区群众3200户次", "3200户次", 3200, "times", "exact"),
    ("抽检食品样品86批次", "86批次", 86, "times", "exact"),
    ("清运建筑垃圾200余车", "200余车", 200, "item", "more_than"),
    ("为困难群众送去大米800斤", "800斤", 0.4, "ton", "exact"),
    ("悬挂宣传横幅45幅", "45幅", 45, "item", "exact"),
    ("发放矿泉水300箱、消毒液150瓶", "150瓶", 150, "item", "exact"),
    ("拆除一栋两层违法建筑", "两层", 2, "item", "exact"),
    ("私自加盖三层,面积450平方米", "三层", 3, "item", "exact"),
    # a mirror site's pinyin between the number and its unit stays in raw_text
    ("籌集資金5萬(wàn)元", "5萬(wàn)元", 5e4, "CNY", "exact"),
    ("出動鏟車兩(liǎng)台", "兩(liǎng)台", 2, "item", "exact"),
    # one 一户 is a count; a pair of them a few characters apart is a slogan (above)
    ("每一户补贴3000元", "一户", 1, "household", "exact"),
    ("目前仅剩一户未签约", "一户", 1, "household", "exact"),
    ("出动挖掘机6台", "6台", 6, "item", "exact"),
    # 件 counts matters handled unless the clause names a thing counted
    ("共受理热线工单900件,回访600件,满意560件", "560件", 560, "case", "exact"),
    ("(二)物业服务方面:共212件,较上月增加18件", "212件", 212, "case", "exact"),
    ("(二)物业服务方面:共212件,较上月增加18件", "18件", 18, "case", "exact"),
    ("暂扣占道经营物品85件", "85件", 85, "item", "exact"),
    ("为群众办实事23件", "23件", 23, "item", "exact"),
    # at-least words give more_than, outside raw_text
    ("每个社区配备网格员不少于5名", "5名", 5, "person", "more_than"),
    ("绿化覆盖率不低于35%", "35%", 35, "percent", "more_than"),
    # percentages written together are several figures
    ("同比分别增长52%18.6%9.4%", "18.6%", 18.6, "percent", "exact"),
    ("同比分别增长52%18.6%9.4%", "9.4%", 9.4, "percent", "exact"),
    # ranges are one figure: the lower bound, more_than; 1万8000 is 18000
    ("确保完成拆除12—15万平方米", "12—15万平方米", 1.2e5, "m2", "more_than"),
    ("腾空土地1万8000平方米", "1万8000平方米", 18000, "m2", "exact"),
    # a time word ending in 前 is not an ordinal prefix; a word ending in 零 is not a numeral
    ("签约项目6个,目前3个项目已开工", "3个", 3, "item", "exact"),
    ("实现限上社零4.8亿元", "4.8亿元", 4.8e8, "CNY", "exact"),
    ("拆违、治乱、控违等五大行动", "五大行动", 5, "item", "exact"),
    # currency written before the amount stays in raw_text
    ("补偿标准为人民币 300元", "人民币 300元", 300, "CNY", "exact"),
    ("单价￥45,合计", "￥45", 45, "CNY", "exact"),
]


@pytest.mark.parametrize("sentence, raw_text, value, unit, qualifier", REAL_TEXT_FORMS)
def test_real_text_form(sentence, raw_text, value, unit, qualifier):
    quantity = next(q for q in find_quantities(sentence) if q.raw_text == raw_text)
    assert (quantity.value, quantity.unit, quantity.qualifier) == (pytest.approx(value), unit, qualifier)
    assert sentence[quantity.start:quantity.end] == raw_text


# Not amounts in real articles: names, words and class names that start with a numeral.
REAL_TEXT_NON_AMOUNTS = [
    "广州三元里大道",
    "路边停着几辆人力三轮车",
    "实施五大工程",
    "位居五大类投资首位",
    "清运建筑垃圾300方",
    "完成土方3万方",
    "供水2万方",
    "双方协商一致",
    "三方面的问题",
    "惠及群众5万,",
    "投资带动周边5万群众受益",
    "万达广场开业",
    "十万火急",
    "一头雾水",
    "两头跑",
    "十几万",
    "构建区、街道、社区三层网络",
    "双向三车道",
    "30000 年",
    "实行签一户、腾一户、拆一户",
    "签一户(hù)兑现一户(hù)补偿款",
    "搬空一栋拆除一栋",
]


@pytest.mark.parametrize("text", REAL_TEXT_NON_AMOUNTS)
def test_real_text_non_amount(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize("sentence, raw_text, value, unit, qualifier", FOUND_IN_SENTENCES)
def test_found_in_sentence(sentence, raw_text, value, unit, qualifier):
    quantity = next(q for q in find_quantities(sentence) if q.raw_text == raw_text)
    assert (quantity.value, quantity.unit, quantity.qualifier) == (pytest.approx(value), unit, qualifier)
    assert sentence[quantity.start:quantity.end] == raw_text


# Not amounts: dates, clock times, ordinals, phone numbers, names, set phrases, durations.
NOT_QUANTITIES = [
    "2007年12月13日",
    "5月14日上午",
    "早7点晚10点",
    "郑州日报第05版",
    "一是坚持好理念",
    "第一个吃螃蟹",
    "前三名",
    "项目一期建成面积",
    "君安三期项目",
    "联系电话:0371-67178888",
    "解放军153医院",
    "城东路105号院",
    "党的十八大以来",
    "4050人员",
    "3D影院",
    "连续15年",
    "两个月以来",
    "三个多月",
    "十八届三中全会",
    "大家一起来",
    "一次性补贴",
    "一条龙服务",
    "千家万户",
    "万人空巷",
    "十几个",
    "四元素",
    "一处处公园",
    "逐一处理",
    "A3栋",
    "浏览次数:7713",
    "1998/7/29",
    "三五成群",
    "一户一策",
    "一村一品",
    "访问 https://www.test.com/search?q=30%25%2020%",
    "二〇〇七年",
    "几十个社区",
    "几十万元",
    "好几百人",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_a_quantity(text):
    assert find_quantities(text) == []


def test_qualifier_word_is_kept_outside_raw_text():
    quantity = only("投资近2亿元的")
    assert (quantity.qualifier_text, quantity.qualifier_start) == ("近", 2)
    trailing = only("占有率达到60%以上,")
    assert (trailing.raw_text, trailing.qualifier_text, trailing.qualifier_start) == ("60%", "以上", 8)


def test_range_keeps_upper_bound():
    quantity = parse_quantity("3～5万元")
    assert (quantity.value, quantity.upper, quantity.qualifier) == (30000, 50000, "more_than")


# (expression, value, unit, qualifier)
WHOLE_EXPRESSIONS = [
    ("五千万元", 5e7, "CNY", "exact"),
    ("一千二百三十四", 1234, "number", "exact"),
    ("两", 2, "number", "exact"),
    ("零", 0, "number", "exact"),
    ("〇", 0, "number", "exact"),
    ("廿二", 22, "number", "exact"),
    ("卅", 30, "number", "exact"),
    ("壹仟贰佰叁拾肆", 1234, "number", "exact"),
    ("伍佰陆拾柒", 567, "number", "exact"),
    ("5.39亿", 5.39e8, "number", "exact"),
    ("3万", 30000, "number", "exact"),
    ("1.2万余", 12000, "number", "more_than"),
    ("3千万", 3e7, "number", "exact"),
    ("2万5千", 25000, "number", "exact"),
    ("200多万元", 2e6, "CNY", "more_than"),
    ("20余万元", 2e5, "CNY", "more_than"),
    ("1万余元", 1e4, "CNY", "more_than"),
    ("3至5亿元", 3e8, "CNY", "more_than"),
    ("3-5万元", 3e4, "CNY", "more_than"),
    ("3～5万", 3e4, "number", "more_than"),
    ("上亿元", 1e8, "CNY", "more_than"),
    ("过亿", 1e8, "number", "more_than"),
    ("数亿", 1e8, "number", "more_than"),
    ("99.22%", 99.22, "percent", "exact"),
    ("９９％", 99, "percent", "exact"),
    ("百分之九十", 90, "percent", "exact"),
    ("2个百分点", 2, "percentage_point", "exact"),
    ("2/3", 66.67, "percent", "exact"),
    ("三分之二", 66.67, "percent", "exact"),
    ("3倍", 3, "multiple", "exact"),
    ("１２３", 123, "number", "exact"),
    ("1,200", 1200, "number", "exact"),
    ("近2亿元", 2e8, "CNY", "nearly"),
    ("约20亩", 13333.33, "m2", "approx"),
    ("不到100人", 100, "person", "less_than"),
    ("一万平方米", 10000, "m2", "exact"),
    ("3平方千米", 3e6, "m2", "exact"),
    ("5km²", 5e6, "m2", "exact"),
    ("100m²", 100, "m2", "exact"),
    ("120平米", 120, "m2", "exact"),
    ("2万亿元", 2e12, "CNY", "exact"),
    ("500千元", 5e5, "CNY", "exact"),
    ("39000 平方米", 39000, "m2", "exact"),
    ("5萬(wàn)元", 5e4, "CNY", "exact"),
    ("￥300", 300, "CNY", "exact"),
    ("$20", 20, "USD", "exact"),
    ("人民币 50元", 50, "CNY", "exact"),
    ("300美圆", 300, "USD", "exact"),
    ("二十几万", 2e5, "number", "more_than"),
    ("一百零几万", 1e6, "number", "more_than"),
    ("不少于5名", 5, "person", "more_than"),
    ("17—18万平方米", 1.7e5, "m2", "more_than"),
]


@pytest.mark.parametrize("expression, value, unit, qualifier", WHOLE_EXPRESSIONS)
def test_parse_whole_expression(expression, value, unit, qualifier):
    quantity = parse_quantity(expression)
    assert (quantity.value, quantity.unit, quantity.qualifier) == (pytest.approx(value), unit, qualifier)


@pytest.mark.parametrize("expression", ["十几", "几十万", "", "元", "万", "亿", "abc", "2007年", "第五"])
def test_parse_rejects_non_numbers(expression):
    assert parse_quantity(expression) is None


def test_raw_unit_keeps_the_magnitude_word():
    assert parse_quantity("五千万元").raw_unit == "万元"
    assert parse_quantity("5.39亿元").raw_unit == "亿元"
    assert parse_quantity("400㎡").raw_unit == "㎡"


def test_numeral_cache_reads_like_cn2an():
    assert read_numeral("一百零一万一千").value == 1011000
    assert read_numeral("几") is None


def load_gold():
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.skipif(not GOLD.exists(), reason="shared gold annotations not mounted")
def test_every_gold_span_is_a_candidate():
    """Candidate recall on the hand-annotated seeds: every gold raw_text is found, with its
    value, unit and qualifier. No exceptions are needed at present."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    found = {name: {(q.start, q.end): q for q in find_quantities(text)} for name, text in texts.items()}
    missed = []
    for fact in load_gold():
        quantity = found[fact["doc"]].get((fact["char_start"], fact["char_end"]))
        got = None if quantity is None else (quantity.value, quantity.unit, quantity.qualifier)
        if got != (fact["value"], fact["unit"], fact["qualifier"]):
            missed.append((fact["doc"], fact["raw_text"], got))
    assert missed == []


def test_spans_slice_back_and_do_not_overlap():
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        previous_end = 0
        for quantity in find_quantities(text):
            assert text[quantity.start:quantity.end] == quantity.raw_text
            assert quantity.start >= previous_end
            previous_end = quantity.end
