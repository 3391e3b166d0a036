"""Hooks for other apps (signals only for plugins and hooks: docs/architecture.md).

`service_confirmed` is sent after commit when a member's service is confirmed, with
`record_id`, `user_id`, `community_id`, `minutes` and `served_on`: the volunteering app's
hours register can credit the hours by connecting a receiver; this app keeps no copy of
that register.
"""

from django.dispatch import Signal

service_confirmed = Signal()
