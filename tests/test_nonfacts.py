"""Figures of real articles that are not facts (the nonfact patterns of etl/data/facts.toml), each
beside a figure of the same sentence that is one. Sentences are written for the test, in the forms
real articles use (issue 11)."""

from __future__ import annotations

import pytest

from etl.documents import Document
from etl.facts import extract_facts


def raw_texts(text: str) -> list[str]:
    return [fact.raw_text for fact in extract_facts(Document.from_text(text))]


# (sentence, a figure that is not a fact, a figure of it that is, or None)
NOT_FACTS = [
    # the aspects or goals a text is divided into
    ("主要体现在以下四个方面:一是拆除违建120处", "四个", "120处"),
    ("问题集中在物业、停车、噪音等3个方面,共受理诉求86件", "3个", "86件"),
    ("聚焦打造两个高地,全年引进项目12个", "两个", "12个"),
    ("践行三项使命任务,落实六项重点任务,新增就业520人", "三项", "520人"),
    ("践行三项使命任务,落实六项重点任务,新增就业520人", "六项", "520人"),
    # size classes: a threshold followed by the things it classifies
    ("全年新开工500万元以上固定资产投资项目6个", "500万元", "6个"),
    ("引进企业85家,其中注册资金1000万以上12家", "1000万", "85家"),
    ("力争引进亿元以上项目3个", "亿元", "3个"),
    # "one for one" slogans (etl/data/quantity_words.toml), also with a mirror site's pinyin
    ("实行签一户、腾一户、拆一户的办法,已签约126户", "一户", "126户"),
    ("采取签一户(hù)兑现一户(hù)补偿款、搬空一栋拆除一栋的方式推进,累计签约316户(hù)", "一户", "316户"),
    ("采取签一户(hù)兑现一户(hù)补偿款、搬空一栋拆除一栋的方式推进,累计签约316户(hù)", "一栋", "316户"),
    # class names and place names that begin with a numeral
    ("总投资3亿元实施八大工程", "八大工程", "3亿元"),
    ("三元里片区拆除违建2300平方米", "三元", "2300平方米"),
    ("清理占道三轮车45辆", "三轮", "45辆"),
    # a count of superlatives is a slogan
    ("严格落实四个最严,抽检食品320批次", "四个", "320批次"),
    # the article 一 before a measure word
    ("清理垃圾一堆,清运杂物12车次", "一堆", "12车次"),
    # the article 一 in traditional characters, as a mirror site writes it
    ("其中一處違法建設的飯店已經拆除,拆違總面積300平方米", "一處", "300平方米"),
    # a page's counters and an address
    ("发布日期:2015-12-08 阅读:1092次\n拆除新增违法建设15处", "1092次", "15处"),
    ("对民族路595号2幢两处违章搭建进行了拆除", "2幢", "两处"),
    # "the last one": a place in a sequence, or a slogan
    ("打通服务群众的最后一公里,全年新增网格员30人", "一公里", "30人"),
    ("随着最后一户签约,该项目共签约163户", "一户", "163户"),
]


@pytest.mark.parametrize("text, dropped, kept", NOT_FACTS)
def test_not_a_fact(text, dropped, kept):
    found = raw_texts(text)
    assert dropped not in found
    if kept:
        assert kept in found


# Counts that look like the above but are facts.
FACTS = [
    ("拆违、控违、治乱、增绿等四大行动同步推进", "四大行动"),
    ("项目总投资500万元以上,年底完工", "500万元"),
    ("共排查出问题涉及6个方面的企业35家", "35家"),
    ("已签约一户的补偿款已全部到位,共计40万元", "40万元"),
    ("每一户补贴3000元,共发放补贴96万元", "3000元"),
    ("评选出10户最美家庭", "10户"),
    ("最后3户居民于6月底签约", "3户"),  # what was left, counted
]


@pytest.mark.parametrize("text, kept", FACTS)
def test_a_fact(text, kept):
    assert kept in raw_texts(text)
