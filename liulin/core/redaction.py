"""Redaction of free text before it is published (the transparency page, Open311, public
notices): what could identify a person is replaced, the rest is left readable.

`redact(text, names=…, keep=…)` replaces
- e-mail addresses, ID numbers (GB 11643, 18 or 15 digits), mobile and landline numbers and
  any other run of 7 or more digits, with `NUMBER_MASK`;
- room numbers, with the building and unit written before them (2栋401室, 3号楼1单元502,
  2-1-401, 1单元302), with `ROOM_MASK`; a building alone (2栋楼道) is a public place and stays;
- personal names, with `NAME_MASK`: every name in `names` (the registry's names for the
  place, the contact's name), each word jieba's part-of-speech tagger marks as a person's
  name (`nr…`), and a surname with a form of address (张阿姨, 王先生).

jieba guesses (an app registers its own words with `register_terms`), and some guesses are place or company names (阳光物业 reads as 阳光 + 物业):
a guess inside an occurrence of a `keep` term (the estate, grid, community and unit names
that are published anyway) is left alone. Names from `names` are always replaced.

The result is meant to over-redact rather than under-redact: a public reader loses a word
now and then; a resident never finds his name or door on a public page.
"""

import re
import threading

NAME_MASK = "某某"
NUMBER_MASK = "***"
ROOM_MASK = "***"

_D = "[0-9０-９]"  # digits as typed on a Chinese keyboard too
_NOT_D = "(?<![0-9０-９])"
_NO_D_AFTER = "(?![0-9０-９])"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(rf"(?<![0-9０-９A-Za-z]){_D}{{17}}[0-9０-９XxＸｘ](?![0-9０-９A-Za-z])")
_PHONE = re.compile(
    "|".join(
        (
            rf"{_NOT_D}(?:\+?86[\s-]?)?1[3-9]{_D}(?:[\s-]?{_D}){{8}}{_NO_D_AFTER}",  # mobile, 138 1234 5678 too
            rf"{_NOT_D}0{_D}{{2,3}}[\s-]?{_D}{{7,8}}{_NO_D_AFTER}",  # landline with its area code
            rf"{_NOT_D}{_D}{{3,4}}-{_D}{{4}}{_NO_D_AFTER}",  # local number written 8765-4321
            rf"{_D}{{7,}}",  # any other long run (bank cards, local numbers, ID numbers typed short)
        )
    )
)
_BUILDING = rf"{_D}{{1,3}}\s*(?:号楼|栋|幢|座|号|[#＃])"
_UNIT = rf"{_D}{{1,2}}\s*单元"
_ROOM_NO = rf"{_D}{{2,4}}\s*(?:室|房|号|户)?"
_ROOM = re.compile(
    "|".join(
        (
            rf"{_NOT_D}{_BUILDING}\s*(?:{_UNIT})?\s*{_ROOM_NO}",  # 2栋401室, 3号楼1单元502
            rf"{_NOT_D}{_UNIT}\s*{_ROOM_NO}",  # 1单元302
            rf"{_NOT_D}{_D}{{1,3}}-{_D}{{1,2}}-{_D}{{2,4}}{_NO_D_AFTER}",  # 2-1-401
            rf"{_NOT_D}{_D}{{2,4}}\s*(?:室|房间|房)",  # 401室
        )
    )
)

# The commonest surnames (they cover most of the population) and forms of address that
# follow a surname: 张阿姨, 王师傅, 李某.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
)
ADDRESS_FORMS = (
    "先生 女士 小姐 阿姨 大爷 大妈 大娘 大伯 大叔 大哥 大姐 奶奶 爷爷 婆婆 师傅 老师 经理 书记 主任 同志 医生 某某 某"
).split()
_ADDRESSED = re.compile(f"[{SURNAMES}](?:{'|'.join(sorted(ADDRESS_FORMS, key=len, reverse=True))})")

_tagger = None
_tagger_lock = threading.Lock()
_term_files = []


def register_terms(path):
    """A jieba user dictionary (word, frequency, tag per line) for the tagger: an app's own
    words (井盖, 飞线) then read as the words they are, not as a surname and a name. Called
    from an app's ready(); loaded with the tagger, so the guesses never depend on whether
    something else loaded jieba first."""
    if str(path) not in _term_files:
        _term_files.append(str(path))


def _pos_tagger():
    """jieba's part-of-speech tagger with the registered terms, loaded once per process (the
    dictionary costs ~1 s)."""
    global _tagger
    if _tagger is None:
        with _tagger_lock:
            if _tagger is None:
                import jieba
                import jieba.posseg

                jieba.setLogLevel(60)
                for path in _term_files:
                    jieba.load_userdict(path)
                _tagger = jieba.posseg
    return _tagger


def redact(text, *, names=(), keep=()):
    """`text` with personal names, phone and ID numbers, e-mail addresses and room numbers
    replaced (see the module's docstring)."""
    text = text or ""
    if not text:
        return ""
    text = _EMAIL.sub(NUMBER_MASK, text)
    text = _ROOM.sub(ROOM_MASK, text)
    text = _ID_NUMBER.sub(NUMBER_MASK, text)
    text = _PHONE.sub(NUMBER_MASK, text)
    return _mask_spans(text, _name_spans(text, names, keep))


def _name_spans(text, names, keep):
    kept = _spans_of(text, [k for k in keep if k])
    known = _spans_of(text, [n for n in names if n and len(n) >= 2])
    guessed = [m.span() for m in _ADDRESSED.finditer(text)] + _tagged_names(text)
    guessed = [s for s in guessed if not any(k[0] <= s[0] and s[1] <= k[1] for k in kept)]
    return known + guessed


def _tagged_names(text):
    spans, at = [], 0
    for word, flag in _pos_tagger().cut(text):
        if flag.startswith("nr") and len(word) >= 2 and word != NAME_MASK:
            spans.append((at, at + len(word)))
        at += len(word)
    return spans


def _spans_of(text, terms):
    """Every occurrence of every term: by length, then one dictionary lookup per position and
    length, so thousands of registry names cost what a few do."""
    by_length = {}
    for term in terms:
        by_length.setdefault(len(term), set()).add(term)
    spans = []
    for length, group in by_length.items():
        for start in range(len(text) - length + 1):
            if text[start:start + length] in group:
                spans.append((start, start + length))
    return spans


def _mask_spans(text, spans):
    """Replace each span (overlapping ones merged) by NAME_MASK."""
    if not spans:
        return text
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(text[at:start])
        out.append(NAME_MASK)
        at = end
    out.append(text[at:])
    return "".join(out)
