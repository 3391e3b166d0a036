"""Every write of the votes app: setting up a vote, moving it through its table, casting
ballots online, at the counter and on paper, and counting.

Each function takes the acting user first (keyword-only), checks permission, holds the vote's
row (select_for_update; on SQLite the IMMEDIATE transaction serialises writers), changes it
and appends one link to the vote's chain. The unique (vote, unit) constraint on ballots is the
last word on "one ballot per unit": two casts racing for one unit end in one ballot.
"""

from .ballots import cast_as_proxy, cast_counter, cast_online, enter_paper, resolve_paper
from .common import SYSTEM_ROLE, new_receipt_code, normalise_code, receipt_hash, rules_for
from .proxies import register_proxy, revoke_proxy
from .votes import act, create_vote, record_service, sweep_deadlines

__all__ = [
    "SYSTEM_ROLE", "act", "cast_as_proxy", "cast_counter", "cast_online", "create_vote", "enter_paper",
    "new_receipt_code", "normalise_code", "receipt_hash", "record_service", "register_proxy", "resolve_paper",
    "revoke_proxy", "rules_for", "sweep_deadlines",
]
