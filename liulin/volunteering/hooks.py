"""Hours other apps hand to this register through their hooks (signals only for plugins and
hooks): the register keeps the record, the other app keeps none of it.

- 党建引领惠邻: `partybuilding.signals.service_confirmed`, sent after commit when an
  in-service party member's service is confirmed, becomes a confirmed record here
  (`services.records.record_from_party_service`), once per service.
"""

from django.apps import apps


def credit_party_service(sender, *, record_id, user_id, community_id, minutes, served_on, org_id, content="",
                         confirmed_by_id=None, is_demo=False, **_ignored):
    from .services.records import record_from_party_service

    record_from_party_service(ref=f"partybuilding.service:{record_id}", user_id=user_id, community_id=community_id, org_id=org_id,
                              minutes=minutes, served_on=served_on, content=content, confirmed_by_id=confirmed_by_id,
                              is_demo=is_demo)


def connect():
    if apps.is_installed("liulin.partybuilding"):
        from liulin.partybuilding.signals import service_confirmed

        service_confirmed.connect(credit_party_service, dispatch_uid="volunteering.credit_party_service")
