"""The fact stage on sentences from real articles: figures kept, non-figures dropped, targets,
scopes and periods. One line per case; the article each comes from is in the comment."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.documents import Document
from etl.facts import extract_facts
from etl.sentences import simplified_view


def facts_of(text: str, **meta):
    return extract_facts(Document.from_text(text, **meta))


def fact(text: str, raw_text: str, **meta):
    found = [f for f in facts_of(text, **meta) if f.raw_text == raw_text]
    assert found, f"{raw_text} not kept in {text}: {[f.raw_text for f in facts_of(text, **meta)]}"
    return found[0]


@pytest.mark.parametrize(
    "text, raw_text, category, metric",
    [
        (
            "累计拆除违章建筑15000余平方米",
            "15000余平方米",
            "demolition",
            "illegal_structures_demolished_area",
        ),
        (
            "拆除违章建筑196处,涉及面积5689平方米,整改率100%",
            "196处",
            "demolition",
            "illegal_structures_demolished_count",
        ),
        ("拆除违章建筑196处,涉及面积5689平方米,整改率100%", "100%", "demolition", "rectification_rate"),
        ("力争年底前完成拆违10万平方米。", "10万平方米", "demolition", "illegal_structures_demolished_area"),
        ("该街道共排查出各类矛盾问题15882起,办结率达99.22%", "15882起", "case_resolution", "disputes_found"),
        ("该街道共排查出各类矛盾问题15882起,办结率达99.22%", "99.22%", "case_resolution", "resolution_rate"),
        ("民事纠纷94起,成功调解92起,正在调解2起。", "92起", "case_resolution", "disputes_mediated"),
        ("2006年以来,招商引资额达到4亿元", "4亿元", "investment", "investment_attracted"),
        (
            "投资近2亿元的河南省煤田地质局嵩阳苑改造项目,目前已完成土地收储",
            "2亿元",
            "investment",
            "project_investment",
        ),
        ("先后投资200多万元,按照标准改扩建社区办公用房", "200多万元", "investment", "spending"),
        ("完成招商引资项目共7个,总投资43.1亿元,到位资金28.1亿元", "28.1亿元", "investment", "funds_in_place"),
        ("完成一般公共预算收入9898万元,同比增长26.1%", "26.1%", "fiscal", "growth_rate"),
        ("引进市外资金3.6亿元,同比增长122%。", "122%", "investment", "growth_rate"),
        ("前三季度,GDP完成4亿元,同比增长5.8%", "4亿元", "fiscal", "gdp"),
        ("2012年新增城镇就业2602人", "2602人", "employment", "jobs_created"),
        ("累计审批低保140户,保障1298人次,发放低保金50.01万元。", "1298人次", "welfare", "subsistence_people"),
        ("累计审批低保140户,保障1298人次,发放低保金50.01万元。", "50.01万元", "welfare", "subsistence_funds"),
        (
            "新城街道办事处位于商丘市中心城区,总面积33.1平方公里,下辖19个社区居委会",
            "33.1平方公里",
            "profile",
            "area",
        ),
        (
            "新城街道办事处位于商丘市中心城区,总面积33.1平方公里,下辖19个社区居委会",
            "19个",
            "profile",
            "communities",
        ),
        ("在19个社区全部组建“区域党委”", "19个", "party_building", "regional_party_committees"),
        ("今年共实施重点项目15个,总投资68亿元", "15个", "investment", "projects"),  # the noun before its count
        ("辖区城镇登记失业率下降为4.5%", "4.5%", "employment", "unemployment_rate"),  # a level, not a change
        ("征收房屋300户,已签约276户,剩余24户正在做工作", "24户", "demolition", "households_remaining"),
        ("街道还投入120万元建成党群服务站6个", "120万元", "investment", "spending"),  # not the venues
        ("街道还投入120万元建成党群服务站6个", "6个", "party_building", "party_venues"),
        ("完成外墙保温改造4.6万平方米,加装电梯21部", "4.6万平方米", "urban_management", "facade_renovated_area"),
        ("完成外墙保温改造4.6万平方米,加装电梯21部", "21部", "urban_management", "elevators_installed"),
        ("开展安全生产检查210次,排查整改隐患96处", "96处", "other", "hazards_fixed"),  # not a dispute
        ("镇党委书记表示,全镇还有近三成征迁任务未完成", "三成", "demolition", "share"),  # a share of the noun after it
        ("登记失业率同比下降0.3个百分点", "0.3个百分点", "employment", "growth_rate"),
        ("西站西等16个社区被评为“平安社区”", "16个", "other", "honors_received"),
        ("该街道在辖区15个社区(村)党支部中筛选示范点", "15个", "party_building", "party_organizations"),
        ("下派30名机关同志担任三级网格员。", "30名", "other", "grid_officers_assigned"),
        ("开发了事件处理、应急指挥、视频监控等6大模块", "6大模块", "other", "information_systems"),
        ("共清理小广告1万余处、广告灯箱150余个", "1万余处", "urban_management", "ads_removed"),
        ("组织50余名党员志愿者走进老年公寓", "50余名", "party_building", "volunteers"),  # as the seed gold has it
        ("进驻商户1200多家。", "1200多家", "other", "merchants"),
        ("拆除30余亩土地上违法建筑28000平方米", "30余亩", "demolition", "land_cleared_area"),
        ("完成固定资产投资8.6亿元,占全年任务的107%。", "107%", "investment", "target_completion"),
        (
            "新农合参合率达98.6%,城乡居民养老保险参保人数2.3万人",
            "98.6%",
            "welfare",
            "insurance_coverage_rate",
        ),
        (
            "整治城中村出租屋860间,新建社区服务中心2个",
            "2个",
            "other",
            "facilities_built",
        ),  # 社区 only as the counted noun
        ("2017年辖区4个社区获评“成都市示范社区”", "4个", "other", "honors_received"),
        ("发放各类救助资金126万元,惠及困难群众860人次", "860人次", "welfare", "assistance_services"),
        ("受理市民热线诉求3200余件,解决率达96.5%,满意率达94%", "94%", "case_resolution", "satisfaction_rate"),
        (
            "出动大铲车两辆,机关干部80余人,强制拆除河沟王村两处违法建筑",
            "80余人",
            "demolition",
            "staff_deployed",
        ),
        # Traditional characters classify like Simplified ones, offsets unchanged
        (
            "累計拆除違章建築15000餘平方米",
            "15000餘平方米",
            "demolition",
            "illegal_structures_demolished_area",
        ),
        ("該街道共排查出各類矛盾問題15882起,辦結率達99.22%", "99.22%", "case_resolution", "resolution_rate"),
        # unseen articles of other provinces and outlets (tests/data/unseen)
        ("网格化管理平台共收集各类问题8652件,已解决8601件,解决率99.4%", "8652件", "case_resolution", "disputes_found"),
        ("网格化管理平台共收集各类问题8652件,已解决8601件,解决率99.4%", "8601件", "case_resolution", "issues_resolved"),
        ("街道人民调解委员会全年受理矛盾纠纷376起,调解成功369起", "376起", "case_resolution", "disputes_received"),
        ("发放创业担保贷款450万元,扶持创业62人。", "450万元", "employment", "business_loans"),
        ("发放创业担保贷款450万元,扶持创业62人。", "62人", "employment", "entrepreneurs_supported"),
        ("为19名创业者发放创业担保贷款280万元", "19名", "employment", "entrepreneurs_supported"),
        ("登记失业人员再就业310人,其中就业困难人员92人。", "310人", "employment", "reemployed"),
        ("开展“春风行动”等招聘活动6场,提供就业岗位2300余个", "6场", "employment", "job_fairs"),
        ("全年开展党员集中培训12期,培训党员1600余人次", "12期", "party_building", "training_sessions"),
        ("组织党员志愿者530名下沉社区一线,累计排查返渝人员1.8万人次。", "530名", "party_building", "volunteers"),
        ("组织党员志愿者530名下沉社区一线,累计排查返渝人员1.8万人次。", "1.8万人次", "other", "people_screened"),
        ("北站街道今年新建社區長者食堂3家,每日為轄區老人提供助餐服務1200餘人次。", "3家", "welfare", "elderly_canteens"),
        ("北站街道今年新建社區長者食堂3家,每日為轄區老人提供助餐服務1200餘人次。", "1200餘人次", "welfare", "meals_served"),
        ("為1.2萬名60歲以上老人辦理綜合保險。", "1.2萬名", "welfare", "insured_people"),
        ("总面积485平方公里,辖12个行政村、6个社区,总人口5.6万人。", "12个", "profile", "villages"),
        ("总面积485平方公里,辖12个行政村、6个社区,总人口5.6万人。", "6个", "profile", "communities"),
        ("完成财政收入1.26亿元,增长22.5%;农民人均纯收入达到8650元。", "8650元", "fiscal", "income_per_capita"),
        ("新修通村水泥路42公里,栽植树木3.5万株", "42公里", "urban_management", "road_built_length"),
        ("出动大型机械45台次,连续作战40天,共拆除违章建筑12.3万平方米", "45台次", "demolition", "vehicles_deployed"),
        ("全镇已签订拆迁协议462户,签约率达95.1%", "95.1%", "demolition", "signing_rate"),
        ("该镇还对拆除后腾出的土地进行复耕,共复耕土地300余亩。", "300余亩", "demolition", "land_cleared_area"),
        ("共铺设道路6800平方米,新安装监控探头48个,新增停车位260个。", "260个", "urban_management", "parking_spaces_added"),
        ("拆除违规广告牌156块,清运垃圾85吨。", "85吨", "urban_management", "garbage_removed"),
        ("街道帮助辖区企业复工复产286家,复工率达97%。", "286家", "other", "enterprises_resumed"),
        ("街道帮助辖区企业复工复产286家,复工率达97%。", "97%", "other", "resumption_rate"),
        ("组建了由32名律师、退休干部组成的调解队伍。", "32名", "case_resolution", "mediators"),
        ("第十二届社区邻里节期间,共接待群众来访1200余人次。", "1200余人次", "case_resolution", "visitors_received"),
        ("仅用两周就完成了全部132户的签约,拆除房屋建筑面积约2.6万平方米。", "2.6万平方米", "demolition", "demolition_area"),
        ("目前,首批180户群众已领到安置补偿款共计近三千万元。", "三千万元", "demolition", "compensation_paid"),
        ("目前,首批180户群众已领到安置补偿款共计近三千万元。", "180户", "demolition", "households_compensated"),
        ("规划建设安置房8栋、960套,预计2022年底交付使用。", "960套", "demolition", "resettlement_housing"),
        ("全年发放各类惠民资金1560万元,新增城乡低保对象46户83人", "1560万元", "welfare", "benefit_funds"),
        ("改造农村危房37户,完成厕所改造2100座。", "37户", "welfare", "housing_renovated"),
        ("改造农村危房37户,完成厕所改造2100座。", "2100座", "urban_management", "toilets_renovated"),
        ("街道现有居民1.6万户、4.3万人,60岁以上老人占比23%。", "1.6万户", "profile", "households"),  # 王城路 2017
        ("街道现有居民1.6万户、4.3万人,60岁以上老人占比23%。", "4.3万人", "profile", "population"),
        ("街道投资380万元改造背街小巷7条,新增公共停车泊位420个,安装路灯150盏。", "7条", "urban_management", "alleys_renovated"),
        ("街道投资380万元改造背街小巷7条,新增公共停车泊位420个,安装路灯150盏。", "420个", "urban_management", "parking_spaces_added"),
        ("街道投资380万元改造背街小巷7条,新增公共停车泊位420个,安装路灯150盏。", "150盏", "urban_management", "streetlights_installed"),
        ("(一)招商引资。新引进企业31户,实现招商引资到位资金4.6亿元。", "31户", "investment", "enterprises_introduced"),
        ("长延堡街道:组织义诊活动15场,服务群众2000余人次;为87户困难家庭送去米面油等物资。", "15场", "welfare", "medical_events"),
        ("长延堡街道:组织义诊活动15场,服务群众2000余人次;为87户困难家庭送去米面油等物资。", "87户", "welfare", "assisted_households"),
        ("全镇完成社会生产总值106亿元、固投24亿元、财税收入6925万元。", "24亿元", "investment", "fixed_asset_investment"),
        ("1-11月,实现限上社零7.5亿元,同比增长79.1%。", "7.5亿元", "fiscal", "retail_sales"),
    ],
)
def test_category_and_metric(text, raw_text, category, metric):
    found = fact(text, raw_text)
    assert (found.category, found.metric) == (category, metric)
    assert text[found.char_start : found.char_end] == raw_text


@pytest.mark.parametrize(
    "text, dropped, kept",
    [
        ("每周开展两次集中行动,共收容犬只20只", "两次", "20只"),  # frequency
        ("创新推出“三个一”工作法,即一张联系卡、一本民情日记、一个调解室。", "一本", None),  # 北下街 2013
        ("该街道已连续5年保持“零上访”,在全区综治考核中名列前三名。", "5年", None),  # a duration
        ("该街道已连续5年保持“零上访”,在全区综治考核中名列前三名。", "三名", None),  # a rank
        ("每月召开两次联席会议;二是组建了由32名律师组成的调解队伍。", "两次", "32名"),  # frequency
        ("据介绍,此次征迁工作中未发生一起群体性事件。咨询电话:0371-62689001", "一起", None),
        ("街道第三屆敬老節期間,共舉辦文藝演出等活動26場", "三屆", "26場"),  # 第X届
        ("辖区未发生一起民转刑案件", "一起", None),  # negation
        ("连续四季度获得全区域城市提升工作前三名,获得表彰", "三名", None),  # rank
        ("按照“232”的工作思路,即培育现代商贸和餐饮服务两个产业,推进片区改造3个项目建设", "两个", None),
        ("按照“232”的工作思路,即培育现代商贸和餐饮服务两个产业,推进片区改造3个项目建设", "3个", None),
        ("建立领导分包、月巡查、联合例会三项机制,加快推进楼宇升级", "三项", None),  # parts of a method
        ("二是发挥两个阵地作用。", "两个", None),
        ("谋划推进5个上亿元项目,计划完成近17万平方米的拆迁任务", "亿元", "5个"),  # size class
        ("一是坚持好一个理念,即坚持科学发展观这一理念", "一个", None),  # the article 一
        ("截至目前,中部大观国际商贸中心项目一期建成面积30万平方米", "一期", "30万平方米"),  # a phase
        ("决战三大主体工作,实现四个有力突破", "三大", None),  # class name
        ("为辖区下岗失业人员、“4050人员”等群众提供就业岗位", "4050人", None),  # quoted label
        ("以“四个着眼”为抓手,团结拼博", "四个", None),  # slogan
        ("开展了非法经营、非法生产、公共服务7个重点领域的集中整治和城市管理13项提升整治工作", "7个", "13项"),
        ("全年新引进项目11个,其中投资超亿元项目3个", "亿元", "3个"),  # size class
    ],
)
def test_non_facts_are_dropped(text, dropped, kept):
    raw_texts = [f.raw_text for f in facts_of(text)]
    assert dropped not in raw_texts
    if kept:
        assert kept in raw_texts


@pytest.mark.parametrize(
    "text, raw_text, is_target",
    [
        ("力争今年工业集聚区产品销售收入突破180亿元,工业增加值突破50亿元", "50亿元", True),
        ("王城路街道今年以来围绕“五心”服务目标,为辖区居民办实事好事56件。", "56件", False),  # a frame
        ("明年,街道计划再改造老旧小区3个。", "3个", True),  # 王城路街道 2017
        ("一是全年完成一般公共预算收入3500万元;二是力争引进亿元以上项目2个", "2个", True),
        ("需拆除面积6500余平方米,目前住宅已全部签约、腾空房屋,公共单位已签约4处", "6500余平方米", True),
        ("需拆除面积6500余平方米,目前住宅已全部签约、腾空房屋,公共单位已签约4处", "4处", False),
        ("2012年新增城镇就业2602人,占目标任务2580人的108%。", "2580人", True),
        ("2012年新增城镇就业2602人,占目标任务2580人的108%。", "108%", False),
        ("2012年新增城镇就业2602人,占目标任务2580人的108%。", "2602人", False),
        ("投资68亿元的郑州市2013年重点工程恒大中原经贸中心项目", "68亿元", False),
        ("与辖区各公共单位签订安全生产目标责任书,签订率100%。", "100%", False),
        ("采取“围绕一个目标、壮大三支队伍”的工作举措,聘用城管协管60人", "60人", False),
        ("列入2011年为民办十件实事,由政府出资分批对全区237个三类楼院进行治理。", "237个", True),
        ("计划生育服务工作扎实有效,新增就业人员1824人", "1824人", False),
        ("2016年,全镇力争完成地区生产总值13.5亿元,增长8%;财政收入突破4000万元。", "4000万元", True),
        ("完成安装32个电子监控设备建设任务;先后投入资金5万余元打造示范点", "5万余元", False),
        ("完成固定资产投资8.6亿元,占全年任务的107%。", "107%", False),
        ("三、2016年工作计划\n\n全镇完成地区生产总值13.5亿元。", "13.5亿元", True),  # a plan section
        ("截至9月底,已全面完成15.6亩征地任务和8个迁坟任务。", "8个", False),  # a task done
        ("共征地301亩,占总任务320亩的94%。", "320亩", True),  # the quota
        ("已完成签约12万平方米,占年度任务80.5%。", "80.5%", False),  # the share of the quota achieved
        ("已签约230户,完成总任务250户的92%,另迁坟6座。", "6座", False),  # a yardstick governs one figure
        ("目前,南关村剩余5户尚未签订协议。", "5户", False),  # what remains
        ("全区违法建筑共应拆除96栋。", "96栋", True),  # 应 is a quota word
        ("项目涉及的应征收面积8万余方,户数560户。", "560户", False),  # …within its clause
        ("年度项目有计划地推进:城东项目涉及57户。", "57户", False),  # 有计划地 is a manner
    ],
)
def test_targets(text, raw_text, is_target):
    assert fact(text, raw_text).is_target is is_target


@pytest.mark.parametrize(
    "published, is_target",
    [(dt.date(2019, 12, 28), False), (dt.date(2019, 6, 30), True), (dt.date(2020, 1, 10), False)],
)
def test_an_estimate_of_a_year_already_over_is_a_result(published, is_target):
    assert fact("2019年,预计全年完成税收5.2亿元。", "5.2亿元", published=published).is_target is is_target


def test_an_estimate_in_a_summary_of_work_done_is_a_result():
    text = "城东街道2021年上半年工作总结\n\n上半年,街道财政收入预计实现6.2亿元。"
    assert fact(text, "6.2亿元").is_target is False
    assert fact("下半年,街道财政收入预计实现6.2亿元。", "6.2亿元").is_target is True


ROUNDUP = (
    "区街动态\n\n大学路办事处\n\n民事纠纷调解效率高\n\n本报讯(记者 安群英)民事纠纷94起,成功调解92起。"
    "这是大学路司法所自2009年来受理的民事纠纷调解情况。\n\n"
    "圃田乡\n\n拆除违法建筑近三万平方米\n\n本报讯(记者 梁月琳)管城区圃田乡截至昨日,共拆除违法建筑28800平方米。\n\n"
    "汇园苗木“挪窝”\n\n本报讯(记者 陈亚洲)二七区绿化管理所移植苗木,截至昨日,该园1400棵乔木全部移植。\n\n"
    "社区帮讨薪 民工送锦旗\n\n本报记者 王影 通讯员 申宝玲\n\n金水区十二里屯工地的6名农民工,终于领到了工资。"
    "他们为十二里屯社区送上锦旗。十二里屯社区的工作人员到工地视察。\n"
)
SECTIONS = (
    "中原区林山寨街道办事处 创新驱动促提升 凝心聚力谋发展\n\n本报记者 孙志刚\n\n"
    "截至2013年4月底,该街道共排查出各类矛盾问题15882起。\n\n"
    "中原区绿东村街道办事处 科学发展绘就新蓝图\n\n本报记者 孙志刚\n\n"
    "截至目前,该街道共排查出各类矛盾问题8882起,办结率达98.3%。\n"
)


@pytest.mark.parametrize(
    "text, raw_text, subdistrict, district, level",
    [
        (ROUNDUP, "94起", "大学路街道", "二七区", "subdistrict"),  # a place line starts an item
        (ROUNDUP, "三万平方米", "圃田乡", "管城回族区", "township"),  # the item's headline
        (ROUNDUP, "28800平方米", "圃田乡", "管城回族区", "township"),  # 管城区 is 管城回族区
        (ROUNDUP, "1400棵", None, "二七区", "district"),  # a new item resets the scope
        (ROUNDUP, "6名", None, "金水区", "community"),
        (SECTIONS, "15882起", "林山寨街道", "中原区", "subdistrict"),
        (SECTIONS, "8882起", "绿东村街道", "中原区", "subdistrict"),  # a section header switches scope
        (SECTIONS, "98.3%", "绿东村街道", "中原区", "subdistrict"),
        (
            "城东路办事处城东路105号院道路坑洼不平,社区筹集资金10万余元",
            "10万余元",
            "城东路街道",
            "管城回族区",
            "community",
        ),
        (
            "深入开展“平安街道建设”活动。中原区桐柏路街道安装32个电子监控设备",
            "32个",
            "桐柏路街道",
            "中原区",
            "subdistrict",
        ),
        (
            "二七区五里堡街道、大学路街道,区直各部门:\n\n现将一季度信访工作情况通报如下:\n全区共受理信访事项412件。",
            "412件",
            None,
            "二七区",
            "district",
        ),  # units in a salutation scope nothing
        (
            "五里堡街道、大学路街道,区直各部门:\n\n现将一季度信访工作情况通报如下:\n全区共受理信访事项412件。",
            "412件",
            None,
            "二七区",
            "district",
        ),  # …but say which district the text is in
        (
            "中原区林山寨街道位于市区西部,东至桐柏路,与绿东村街道相接。辖区面积4.5平方公里。",
            "4.5平方公里",
            "林山寨街道",
            "中原区",
            "subdistrict",
        ),  # a neighbour named as a boundary
        (
            "9月4日,中原区林山寨街道居民王女士拨打热线反映路灯不亮。\n\n今年以来,热线共受理工单9.2万件。",
            "9.2万件",
            None,
            "中原区",
            "district",
        ),  # a unit named in an anecdote
        (
            "二七区今年新建口袋公园20个。其中,五里堡街道5个、大学路街道3个,其余分布在各乡镇。",
            "3个",
            "大学路街道",
            "二七区",
            "subdistrict",
        ),  # a list: each value with its unit
        (
            "二七区今年新建口袋公园20个。其中,五里堡街道5个、大学路街道3个。全区共栽植树木1400棵。",
            "1400棵",
            None,
            "二七区",
            "district",
        ),  # the units of a list do not scope what follows
        (
            "二七区五里堡街道、大学路街道分别完成投资1.2亿元、8000万元。",
            "8000万元",
            "大学路街道",
            "二七区",
            "subdistrict",
        ),  # 分别: values pair with units in order
        (
            "共涉及二七区五里堡街道、大学路街道等4个街道,拆迁面积12万平方米。",
            "12万平方米",
            None,
            "二七区",
            "district",
        ),  # a total over the listed units goes to their parent
        (
            "二七区五里堡街道与大学路街道联合开展执法,共拆除违建300处。",
            "300处",
            None,
            "二七区",
            "district",
        ),  # units that act together report together
        ("广州市白云区棠景街今年新建口袋公园3个。", "3个", "棠景街道", "白云区", "subdistrict"),  # X街
        ("天河区沙河街办组织志愿者120人。", "120人", "沙河街道", "天河区", "subdistrict"),  # X街办
        (
            "開平市長(zhǎng)沙街道辦(bàn)事處(chù)拆除違(wéi)建619處。",
            "619處",
            "长沙街道",
            "开平市",
            "subdistrict",
        ),  # a mirror's pinyin annotations
        (
            "5月3日,金水区丰产路街道一处违建正在拆除。\n\n本报记者 李明 摄\n\n全市今年已拆除违建1200处。",
            "1200处",
            None,
            None,
            "district",
        ),  # a photo caption names units in passing (全市 of a city unknown: a county-level city's rank)
        (
            "金水区今年新开工项目105个。\n在丰产路街道,新建学校3所。花园路街道,新建公园2个。\n全区新增就业1200人。",
            "1200人",
            None,
            "金水区",
            "district",
        ),  # a paragraph that runs through several units scopes only itself
        ("玉山县冰溪镇2017年引进项目5个。", "5个", "冰溪镇", "玉山县", "township"),  # the name of its day
        ("2020年,上虞区崧厦镇拆除违建1.2万平方米。", "1.2万平方米", "崧厦街道", "上虞区", "subdistrict"),
        # the whole district or city as the subject of a clause: its figure, not the subdistrict's
        ("中原区林山寨街道今年拆除违建120处。\n全区共拆除违建500处。", "500处", None, "中原区", "district"),
        ("林山寨街道拆除违建120处。1-6月份,我区累计拆除违建500处。", "500处", None, "中原区", "district"),
        ("林山寨街道拆除违建120处。\n全市共拆除违建3000处。", "3000处", None, None, "city"),
        ("慈溪市浒山街道新增就业300人。今年,我市新增就业1.2万人。", "1.2万人", None, "慈溪市", "district"),
        ("林山寨街道拆除违建120处,占全区的24%。", "24%", "林山寨街道", "中原区", "subdistrict"),  # a share of it
        ("林山寨街道拆除违建120处,位列全区第一。", "120处", "林山寨街道", "中原区", "subdistrict"),  # a rank in it
        ("拆违考核排名前两位的是林山寨街道、绿东村街道。全区共拆除违建500处。", "500处", None, "中原区", "district"),
        ("按照全区统一部署,林山寨街道拆除违建120处。", "120处", "林山寨街道", "中原区", "subdistrict"),
        ("林山寨街道抽调干部30人。全区共拆除违建500处,我街道拆除120处。", "120处", "林山寨街道", "中原区", "subdistrict"),
        ("全区共拆除违建500处,其中林山寨街道120处。", "500处", None, "中原区", "district"),  # its units after it
        # a district's total broken down by unit after it (其中)
        ("二七区今年拆除违建500处,其中长江路街道120处。", "500处", None, "二七区", "district"),
        ("二七区今年拆除违建500处,其中长江路街道120处。", "120处", "长江路街道", "二七区", "subdistrict"),
        # a district the table lists once needs no context; a name that is also a word does
        ("截至10月底,荷塘区已启动征地拆迁项目41个。", "41个", None, "荷塘区", "district"),
        ("桐梓县今年完成棚户区改造安置房1024套。", "1024套", None, "桐梓县", "district"),
        ("今年实施老城区改造,完成投资3亿元。", "3亿元", None, None, "district"),
    ],
)
def test_scopes(text, raw_text, subdistrict, district, level):
    found = fact(text, raw_text)
    assert (found.subdistrict, found.district, found.level) == (subdistrict, district, level)


def test_namesakes_resolve_by_the_documents_own_context():
    found = fact("商丘市睢阳区新城街道办事处位于商丘市中心城区,总面积33.1平方公里。", "33.1平方公里")
    assert (found.province, found.city, found.district, found.subdistrict, found.admin_code) == (
        "河南省",
        "商丘市",
        "睢阳区",
        "新城街道",
        "411403004000",
    )
    found = fact("管城回族区西大街街道办事处前三季度,GDP完成4亿元。", "4亿元")
    assert (found.subdistrict, found.admin_code) == ("西大街街道", "410104002000")


@pytest.mark.parametrize(
    "text, raw_text, published, year, period_text",
    [
        (
            "2006年以来,共引进10余个企业,招商引资额达到4亿元; 2007年财政税收实现超五千万元的新突破。",
            "4亿元",
            None,
            2006,
            "2006年以来",
        ),
        (
            "2006年以来,共引进10余个企业,招商引资额达到4亿元; 2007年财政税收实现超五千万元的新突破。",
            "五千万元",
            None,
            2007,
            "2007年",
        ),
        (
            "2018年,新城街道办事处完成税收5.39亿元,财政收入总规模达到2013年的3倍。",
            "3倍",
            None,
            2018,
            "2018年",
        ),  # baseline year
        ("截至目前,投资68亿元的郑州市2013年重点工程项目启动拆迁工作", "68亿元", None, 2013, "截至目前"),
        ("目前,新城街道办事处已举办集中教育大会17期。", "17期", dt.date(2019, 7, 29), 2019, "目前"),
        ("今年以来,新增就业人员1824人。", "1824人", None, None, "今年以来"),  # undated article
        (
            "民事纠纷94起。这是大学路司法所自2009年来受理的民事纠纷调解情况。",
            "94起",
            None,
            2009,
            "自2009年来",
        ),
        (
            "去年以来,街道强力推进重点项目。拿下投资12亿元的中原文化广场项目。",
            "12亿元",
            dt.date(2014, 5, 1),
            2013,
            "去年以来",
        ),
        ("汇园游园建于2007年,占地面积12000平方米。", "12000平方米", None, 2007, "2007年"),
        (
            "截至目前,投资近2亿元的项目目前已完成土地收储;投资约4亿元的项目已签约。",
            "4亿元",
            None,
            None,
            "截至目前",
        ),
        (
            "同时,员工向党组织靠拢,目前已递交入党志愿书1200余份,新发展党员200余名",
            "200余名",
            None,
            None,
            "目前",
        ),
        (
            "总面积33.1平方公里,下辖19个社区。",
            "19个",
            dt.date(2019, 7, 29),
            2019,
            None,
        ),  # the publication year
        (
            "发布日期:2019-07-29\n总面积33.1平方公里,下辖19个社区。",
            "19个",
            None,
            2019,
            None,
        ),  # a date the text states
        (
            "2019-05-12 10:30 来源:北京日报\n今年一季度,街道共受理诉求3200余件",
            "3200余件",
            None,
            2019,
            "一季度",
        ),  # a dateline
        (
            "坎墩街道2020年上半年工作情况\n\n上半年,实现规上工业产值45.6亿元。",
            "45.6亿元",
            None,
            2020,
            "上半年",
        ),  # title year
        (
            "城关镇2012年政府工作报告\n——2013年1月15日在城关镇第十七届人民代表大会第二次会议上\n各位代表:\n城关镇总面积485平方公里,辖12个行政村。",
            "485平方公里",
            None,
            2012,
            None,
        ),  # a dated subtitle does not replace the title year
        (
            "萧山区人民政府网 2019-12-20\n城厢街道:矛盾化解在家门口\n今年以来,城厢街道将辖区划分为86个网格。",
            "86个",
            None,
            2019,
            "今年以来",
        ),  # a masthead line: outlet then date
        (
            "靜安區北站街道 2018年10月9日電\n北站街道今年新建社區長者食堂3家。",
            "3家",
            None,
            2018,
            "今年",
        ),  # a wire dateline (日電)
        (
            "雁塔区各街道“我为群众办实事”进展一览\n(2021年7月15日)\n电子城街道:排查化解矛盾纠纷92件,调解成功率96%。",
            "92件",
            None,
            2021,
            None,
        ),  # a dateline in brackets under the title
        (
            "二〇二〇年,全镇共拆除违法建筑3.2万平方米。",
            "3.2万平方米",
            None,
            2020,
            "二〇二〇年",
        ),  # a year in Chinese numerals
        (
            "截至2021年10月底,全区征迁工作进展如下:\n\n已签约786户,腾空房屋5.6万平方米。",
            "786户",
            None,
            2021,
            None,
        ),  # an undated article framed by the date in its lead
        (
            "通知\n\n各镇人民政府、各街道办事处:\n\n现将2023年三季度信访工作情况通报如下:\n一、总体情况\n全县共受理信访事项412件。",
            "412件",
            None,
            2023,
            None,
        ),  # the lead under a salutation frames the notice
        (
            "昆山市2022年新开工项目108个。\n\n此外,街道新建口袋公园4个。",
            "4个",
            None,
            2022,
            None,
        ),  # the lead's year, although it dates a name
        (
            "通州区新华街道:口袋公园惠及千余户\n2022年,新华街道新建口袋公园5个。",
            "千余户",
            None,
            None,
            None,
        ),  # the lead frames what follows it, not the headline above it
        (
            "城南街道2021年工作总结及2022年工作计划\n\n全年共调处矛盾纠纷326件。",
            "326件",
            None,
            2021,
            "全年",
        ),  # the summary's year, not the plan's
        ("1-11月,实现限上社零7.5亿元。", "7.5亿元", dt.date(2015, 12, 20), 2015, "1-11月"),  # a yearless period
        (
            "2019年工作总结\n\n6月份,全区共转办工单1153件。",
            "1153件",
            None,
            2019,
            "6月份",
        ),  # its year from the title
        ("3月2日,启动征迁工作,组成13个小组。", "13个", dt.date(2019, 3, 5), 2019, None),  # an event's date
        (
            "热线工作情况通报\n一、基本情况\n2017年3月,共办理热线工单2495件。\n二、回访情况\n群众满意率均为100%。",
            "100%",
            None,
            2017,
            None,
        ),  # a lead that opens with its date is running text, not a page's date line
        (
            "城南街道2021年工作总结\n\n一是治违。自2019年起,累计拆除违建1.2万平方米。二是治乱。清理占道摊点560处。",
            "560处",
            None,
            2021,
            None,
        ),  # a start year in one item of a list does not scope the next item
        (
            "今年以来,共受理诉求3200件,较去年同期增长12%。",
            "12%",
            dt.date(2021, 6, 30),
            2021,
            "今年以来",
        ),  # 较去年同期 is a baseline
    ],
)
def test_year_and_period(text, raw_text, published, year, period_text):
    found = fact(text, raw_text, published=published)
    assert (found.year, found.period_text) == (year, period_text)


@pytest.mark.parametrize(
    "text, raw_text, value",
    [
        ("街道人民调解委员会全年受理矛盾纠纷376起。信访总量同比下降21%。", "21%", -21),  # 城厢街道 2019
        ("提供就业岗位2300余个,登记失业率同比下降0.3个百分点。", "0.3个百分点", -0.3),  # 南京路街道 2021
        ("完成财政税收2.35亿元,同比增长12.6%。", "12.6%", 12.6),  # 花园路街道 2014
        ("辖区城镇登记失业率下降为4.5%。", "4.5%", 4.5),  # fell TO a level: the level
    ],
)
def test_a_decline_is_a_negative_change(text, raw_text, value):
    assert fact(text, raw_text).value == pytest.approx(value)


def test_outlet_and_date_stated_in_the_text_fill_in_missing_metadata():
    text = "河南商报电子版\n发布日期:2019-07-29 浏览次数:7713\n总投资43.1亿元\n来源:河南商报"
    found = fact(text, "43.1亿元")
    assert (found.outlet, found.published) == ("河南商报", dt.date(2019, 7, 29))
    given = fact(text, "43.1亿元", outlet="大河报", published=dt.date(2019, 8, 1))
    assert (given.outlet, given.published) == ("大河报", dt.date(2019, 8, 1))


@pytest.mark.parametrize(
    "traditional",
    ["累計拆除違章建築15000餘平方米", "乾隆年間的建築", "臺灣的發展", "里程碑 著作 於是"],
)
def test_simplified_view_keeps_every_offset(traditional):
    assert len(simplified_view(traditional)) == len(traditional)


@pytest.mark.parametrize(
    "traditional",
    [
        "累計拆除違章建築15000餘平方米,幫扶困難群眾299戶",  # Big5 edition of a seed
        "乾隆年間的建築,於是乾淨整潔",  # 乾 and 於: phrase table first, then first choice
        "里程碑 著作 於是 臺灣的發展 憂鬱 發財",
        "2019年轄區內共排查矛盾糾紛1,288起，調處成功率達98.6%。",
    ],
)
def test_simplified_view_converts_as_opencc_does(traditional):
    import opencc

    assert simplified_view(traditional) == opencc.OpenCC("t2s").convert(traditional)


def test_every_fact_points_at_its_raw_text():
    text = ROUNDUP + SECTIONS
    for found in facts_of(text):
        assert text[found.char_start : found.char_end] == found.raw_text
        offset = found.sentence_offset
        assert found.sentence[offset : offset + len(found.raw_text)] == found.raw_text


@pytest.mark.parametrize(
    "text, offsets",
    [
        ("今年计划改造老旧小区4个,目前已完成4个。", [10, 18]),  # one figure written twice
        # a page-wrapped line: the sentence runs on after the line break, which it drops
        ("街道全年共排查化解各类矛盾纠纷和信访问题12起，其中涉及城市建设和管理方面的矛盾纠纷问题较多\n已办结12起。", [20, 49]),
    ],
)
def test_sentence_offset_tells_a_repeated_figure_apart(text, offsets):
    assert [f.sentence_offset for f in facts_of(text)] == offsets


_PIECES = st.sampled_from(
    [
        "中原区",
        "林山寨街道",
        "办事处",
        "该街道",
        "社区",
        "“",
        "”",
        "。",
        ",",
        ";",
        "\n",
        "\n\n",
        "本报讯",
        "本报记者 甲 ",
        "2013年",
        "截至目前",
        "今年以来",
        "力争",
        "计划",
        "投资",
        "拆除违章建筑",
        "15000余平方米",
        "5个",
        "一个",
        "两次",
        "每周",
        "3倍",
        "同比增长",
        "26.1%",
        "達",
        "萬元",
        "第",
        "前三名",
        "新城街道",
        "睢阳区",
        "管城区",
        "亿元",
        "项目",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=4), max_size=40).map("".join))
def test_any_text_gives_well_formed_facts(text):
    for found in facts_of(text):
        assert text[found.char_start : found.char_end] == found.raw_text
        assert found.sentence[found.sentence_offset :].startswith(found.raw_text)
        assert found.sentence and found.level in ("city", "district", "subdistrict", "township", "community")
        assert found.year is None or 1900 < found.year < 2100


@pytest.mark.parametrize(
    "rule, problem",
    [
        ('keywords = ["税收"]\ncategory = "fiscl"\nmetric = "tax_revenue"', "unknown category 'fiscl'"),
        ('keywords = ["税收"]\ncategory = "fiscal"\nmetric = "tax_revenue"\nunits = ["RMB"]', "unknown units ['RMB']"),
        ('keywords = ["税收"]\ncategory = "fiscal"', "malformed"),
    ],
)
def test_a_malformed_metrics_file_is_named_with_its_rule(tmp_path, rule, problem):
    from etl.classify import load_lexicon

    path = tmp_path / "metrics.toml"
    path.write_text(f"[[rule]]\n{rule}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="metrics.toml: rule 1") as error:
        load_lexicon(path)
    assert problem in str(error.value)


@pytest.mark.parametrize(
    "text, raw_text, category, evidence",
    [
        ("二、征迁工作\n\n截至9月底,已完成312户,占总数的96%。", "312户", "demolition", "title:征迁"),
        (
            "城南街道2021年工作总结\n\n三、征迁工作\n截至9月底,已完成312户。",
            "312户",
            "demolition",
            "heading:征迁",
        ),  # the heading of its section
        (
            "今年以来,街道全力推进拆违攻坚。截至目前累计完成1.2万平方米。",
            "1.2万平方米",
            "demolition",
            "paragraph:拆违",
        ),  # the paragraph
        (
            "城南街道12345热线6月运行情况\n\n本月共转办1153条,按时回复1148条。",
            "1148条",
            "case_resolution",
            "title:12345",
        ),  # the title
        (
            "四、老旧小区改造\n\n今年共完成21个,涉及居民1300户。",
            "21个",
            "urban_management",
            "title:老旧小区改造",
        ),
        ("累计拆除违章建筑15000余平方米", "15000余平方米", "demolition", "clause:违章建筑"),  # its own words first
        ("本周共出动车辆80台次,信访和拆违各占一半。", "80台次", "other", None),  # two topics, no verdict
        ("8月23日,荷塘区5个项目正式完成交地验收。", "5个", "demolition", "sentence:交地"),  # 项目 of 交地
        (
            "二、征迁工作\n\n城东项目涉及住户210户,建筑面积约2.6万方,目前已全部腾空。",
            "2.6万方",
            "demolition",
            "sentence:腾空",
        ),  # the area a demolition involves (涉及) is the demolition's
        ("改造项目总占地约20亩,总建筑面积12万平方米,计划打造商业综合体。", "12万平方米", "other", "clause:总建筑面积"),
        (
            "12345热线6月运行情况\n\n二、热点分析\n(一)老旧小区改造方面:共95件,较上月减少5件。",
            "95件",
            "case_resolution",
            "title:12345",
        ),  # cases counted in a report on hotline tickets are the cases handled
        (
            "【概况】莲花街道党建工作扎实,机关行政编制20名。",
            "20名",
            "profile",
            "heading:概况",
        ),  # the label of its paragraph
        ("今年街道共签约招商项目12个。", "12个", "investment", "clause:招商"),
    ],
)
def test_category_from_the_context_when_the_figure_says_nothing(text, raw_text, category, evidence):
    found = fact(text, raw_text)
    assert (found.category, found.category_evidence) == (category, evidence)


@pytest.mark.parametrize(
    "text, raw_text, category",
    [
        ("疫情期间,对86个居民小区、12个农贸市场和9所学校开展消杀。", "86个", "urban_management"),
        ("疫情期间,对86个居民小区、12个农贸市场和9所学校开展消杀。", "12个", "other"),  # not the 小区's
        ("共清理占道经营2000余处、店外经营950余处。", "950余处", "urban_management"),  # noun before
    ],
)
def test_an_item_of_an_enumeration_is_counted_by_its_own_noun(text, raw_text, category):
    assert fact(text, raw_text).category == category
