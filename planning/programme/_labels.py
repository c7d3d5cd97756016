"""Words of the programme's documents and returns in Chinese and English.

The library writes documents in the language asked for (the app passes its
interface language); these are the few words it needs, kept apart from the
code that lays the documents out.
"""

from __future__ import annotations

from typing import Any

__all__ = ["column", "label", "status_word"]

_COLUMNS = {
    "zh": {
        "indicator": "指标代码",
        "name": "指标",
        "unit": "单位",
        "county": "区县",
        "target": "年度目标",
        "done": "累计完成",
        "share": "完成率",
        "schedule_share": "序时进度",
        "expected": "序时应完成",
        "gap": "与序时进度差",
        "behind": "低于序时进度",
        "change": "本月新增",
        "light": "进度灯",
        "rank": "名次",
        "score": "总分",
        "tied_with": "同分区县",
        "weight": "权重",
        "points": "得分",
        "share_list_firms_5g": "转型清单企业5G覆盖率",
        "share_list_firms_charging": "转型清单企业周边有充电站比例",
        "share_zone_firms_5g": "开发区企业5G覆盖率",
        "share_zone_firms_charging": "开发区企业周边有充电站比例",
        "sites_5g": "在用5G基站数",
        "population": "常住人口",
        "sites_5g_per_10k": "每万人5G基站数",
    },
    "en": {
        "indicator": "indicator id",
        "name": "indicator",
        "unit": "unit",
        "county": "county",
        "target": "target",
        "done": "done",
        "share": "share done",
        "schedule_share": "time-schedule share",
        "expected": "expected by schedule",
        "gap": "gap to schedule",
        "behind": "behind schedule",
        "change": "change this month",
        "light": "light",
        "rank": "rank",
        "score": "score",
        "tied_with": "tied with",
        "weight": "weight",
        "points": "points",
        "share_list_firms_5g": "list firms in 5G coverage",
        "share_list_firms_charging": "list firms near charging",
        "share_zone_firms_5g": "zone firms in 5G coverage",
        "share_zone_firms_charging": "zone firms near charging",
        "sites_5g": "operational 5G sites",
        "population": "population",
        "sites_5g_per_10k": "5G sites per 10,000 people",
    },
}

_WORDS = {
    "zh": {
        "city": "全市",
        "synthetic": "注: 本文所用数据为演示用合成数据, 不代表真实情况。",
        "synthetic_short": "合成数据",
        "supervision_title": "数字化绿色化转型月度督导表 ({month})",
        "ranking_title": "{year}年度区县大排名 (截至{month})",
        "bulletin_title": "数字化绿色化转型推进情况通报",
        "bulletin_sub": "{year}年第{q}季度 (数据截至{month}月末)",
        "headline": "一、总体进展",
        "headline_line": "{name}: 完成{done}{unit}, 目标{target}{unit}, 完成率{share}, "
        "序时进度{schedule}, {verdict}。",
        "ahead": "高于序时进度{gap}个百分点",
        "behind_by": "低于序时进度{gap}个百分点",
        "on_schedule": "与序时进度持平",
        "quarter_change": "本季度新增{change}{unit}。",
        "county_section": "二、各区县{name}进展",
        "county_note": "标红的区县低于序时进度。",
        "matrix_section": "三、各区县各项指标完成率",
        "trend_section": "四、月度走势",
        "trend_title": "{name}: 全市累计完成与序时进度",
        "schedule_line": "序时进度",
        "month_axis": "月份",
        "map_section": "五、各区县完成率分布图",
        "map_title": "{name}完成率 (截至{month})",
        "map_legend": "完成率",
        "ranking_section": "六、区县排名 (截至本季度末)",
        "ranking_note": "得分 = 权重 x 完成率 (完成率最高计{cap}), 总分相同的区县并列。",
        "weights": "权重",
        "status_planned": "计划",
        "status_in_progress": "推进中",
        "status_completed": "已完成",
        "yes": "是",
        "no": "否",
        "internal": "内部规划参考, 非正式出版地图。",
    },
    "en": {
        "city": "city",
        "synthetic": "Note: the data in this document are synthetic demonstration data.",
        "synthetic_short": "synthetic data",
        "supervision_title": "Digital and green transformation: monthly supervision ({month})",
        "ranking_title": "County ranking {year} (to {month})",
        "bulletin_title": "Digital and green transformation: progress bulletin",
        "bulletin_sub": "{year} Q{q} (figures to the end of {month})",
        "headline": "1. Overall progress",
        "headline_line": "{name}: {done} {unit} done of a target of {target} {unit}, {share} "
        "done against a time-schedule share of {schedule}: {verdict}.",
        "ahead": "{gap} percentage points ahead of schedule",
        "behind_by": "{gap} percentage points behind schedule",
        "on_schedule": "on schedule",
        "quarter_change": "This quarter: +{change} {unit}.",
        "county_section": "2. {name} by county",
        "county_note": "Counties marked red are behind the time schedule.",
        "matrix_section": "3. Share of each target done, by county",
        "trend_section": "4. Month by month",
        "trend_title": "{name}: city total and time schedule",
        "schedule_line": "time schedule",
        "month_axis": "month",
        "map_section": "5. Map of the counties by share done",
        "map_title": "{name}: share done (to {month})",
        "map_legend": "share done",
        "ranking_section": "6. County ranking (to the end of the quarter)",
        "ranking_note": "Points = weight x share done (at most {cap}); equal scores share a rank.",
        "weights": "weights",
        "status_planned": "planned",
        "status_in_progress": "in progress",
        "status_completed": "completed",
        "yes": "yes",
        "no": "no",
        "internal": "For internal planning use; not a published map.",
    },
}


def _lang(language: str) -> str:
    if language not in _WORDS:
        msg = f"language must be 'zh' or 'en', got {language!r}"
        raise ValueError(msg)
    return language


def column(name: str, language: str = "zh") -> str:
    """Return the header of a result column (``points_<id>`` / ``share_<id>`` too)."""
    return _COLUMNS[_lang(language)].get(name, name)


def label(key: str, language: str = "zh", **values: Any) -> str:
    """Return a phrase of the documents, formatted with ``values``."""
    return _WORDS[_lang(language)][key].format(**values)


def status_word(status: str, language: str = "zh") -> str:
    """Return the word for a transformation status."""
    return _WORDS[_lang(language)].get(f"status_{status}", status)
