"""Hooks for other apps (signals only for plugins and hooks: docs/architecture.md).

`service_confirmed` is sent after commit when a member's service is confirmed, with
`record_id`, `user_id` (the member), `community_id`, `org_id` (his unit), `minutes`,
`served_on`, `content` (what he did), `confirmed_by_id` and `is_demo`: the volunteering app's hours
register credits the hours through its receiver (volunteering/hooks.py); this app keeps no
copy of that register.
"""

from django.dispatch import Signal

service_confirmed = Signal()
