"""Masked forms of personal identifiers, shown everywhere unless a reveal is logged."""


def mask_phone(mobile: str) -> str:
    """13812345678 -> 138****5678."""
    if not mobile:
        return ""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_id(id_number: str) -> str:
    """430104199001011234 -> 4301*************4: the region prefix and the check character only.

    Digits 7-14 are the birth date and 15-17 the sequence, so any of them kept beside an age
    or a birth date narrows the number to a few guesses; the prefix is a place everyone near
    the person knows, and the check character (one of 11) still leaves over 10,000 numbers
    for a known age and gender (docs/architecture.md, "Personal data")."""
    if not id_number:
        return ""
    return f"{id_number[:4]}{'*' * (len(id_number) - 5)}{id_number[-1]}"


def mask_name(name: str) -> str:
    """张三丰 -> 张**: the family name only (claims, public lists, certificates)."""
    return f"{name[:1]}{'*' * max(1, len(name) - 1)}" if name else ""
