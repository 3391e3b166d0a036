"""Masked forms of personal identifiers, shown everywhere unless a reveal is logged."""


def mask_phone(mobile: str) -> str:
    """13812345678 -> 138****5678."""
    if not mobile:
        return ""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_id(id_number: str) -> str:
    """430104199001011234 -> 4301**********1234: the region prefix and the last four only."""
    if not id_number:
        return ""
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"
