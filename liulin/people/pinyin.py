"""Pinyin keys for searching residents by name: "zs" or "zhangsan" finds 张三."""

from pypinyin import Style, lazy_pinyin


def full(name: str) -> str:
    return "".join(lazy_pinyin(name, errors="ignore")).lower()


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
