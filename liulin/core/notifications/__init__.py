"""Kernel notifications: notify anyone about anything.

An app calls `services.send([Notice(...)])` (or `services.notify(...)` for one) inside its own
transaction. The in-app notice is written there, with the app's change; the other channels
(e-mail, SMS, webhook), chosen by each user's preferences, are planned and queued only after
commit, so a rolled-back action sends nothing. Every delivery and each attempt is recorded.
Apps register their kinds (`kinds.register`) so users can choose channels per kind.
"""
