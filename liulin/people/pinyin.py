"""Pinyin keys for searching residents by name: "zs" or "zhangsan" finds 张三.

pypinyin's dictionaries take about 55 MB: they are imported when a name is first keyed,
not in every web worker."""


def full(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name, errors="ignore")).lower()


def initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
