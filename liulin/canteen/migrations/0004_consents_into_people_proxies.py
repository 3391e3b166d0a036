"""Move the canteen's own family consents (canteen.ProxyConsent) into the kernel's consents
(people.Proxy, scope "canteen"), and point each family order at the consent it was placed
under. A consent had no end date: it is carried over valid for three years from when it was
given (the kernel's longest), the elder confirming it again after. Revoked consents come over
revoked. Safe to re-run: a consent already carried over (same elder, family, granted_at) is
not copied twice."""

import datetime

from django.db import migrations

YEARS = 3
RELATIONS = {"女儿": "child", "儿子": "child", "子女": "child", "儿媳": "relative", "女婿": "relative", "配偶": "spouse",
             "老伴": "spouse", "妻子": "spouse", "丈夫": "spouse", "孙子": "grandchild", "孙女": "grandchild",
             "外孙": "grandchild", "外孙女": "grandchild", "哥哥": "sibling", "姐姐": "sibling", "弟弟": "sibling", "妹妹": "sibling"}


def _until(moment):
    day = moment.date()
    try:
        return day.replace(year=day.year + YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year + YEARS, day=28)


def forward(apps, schema_editor):
    ProxyConsent = apps.get_model("canteen", "ProxyConsent")
    Order = apps.get_model("canteen", "Order")
    Proxy = apps.get_model("people", "Proxy")
    ProxyScope = apps.get_model("people", "ProxyScope")
    User = apps.get_model("accounts", "User")
    for consent in ProxyConsent.objects.order_by("pk").iterator(chunk_size=500):
        proxy = Proxy.objects.filter(elder_id=consent.elder_id, proxy_resident_id=consent.family_id, granted_at=consent.consented_at).first()
        if proxy is None:
            account = User.objects.filter(resident_id=consent.family_id).first()
            proxy = Proxy.objects.create(
                elder_id=consent.elder_id, proxy_resident_id=consent.family_id, proxy_user=account,
                relation=RELATIONS.get(consent.relation.strip(), "relative"), valid_until=_until(consent.consented_at),
                consent_proof=f"食堂代订授权（迁移自 canteen.ProxyConsent #{consent.pk}，{consent.relation}）"[:200],
                recorded_by_id=consent.recorded_by_id, granted_at=consent.consented_at, revoked_at=consent.revoked_at,
                end_reason="revoked" if consent.revoked_at else "", is_demo=consent.is_demo,
            )
            ProxyScope.objects.create(proxy=proxy, service="canteen")
        Order.objects.filter(consent_id=consent.pk, proxy__isnull=True).update(proxy=proxy)


def backward(apps, schema_editor):
    ProxyConsent = apps.get_model("canteen", "ProxyConsent")
    Order = apps.get_model("canteen", "Order")
    Proxy = apps.get_model("people", "Proxy")
    for proxy in Proxy.objects.filter(scopes__service="canteen", proxy_resident__isnull=False).order_by("pk").iterator(chunk_size=500):
        consent, _made = ProxyConsent.objects.get_or_create(
            elder_id=proxy.elder_id, family_id=proxy.proxy_resident_id, consented_at=proxy.granted_at,
            defaults={"relation": proxy.get_relation_display() if hasattr(proxy, "get_relation_display") else proxy.relation,
                      "recorded_by_id": proxy.recorded_by_id, "revoked_at": proxy.revoked_at, "is_demo": proxy.is_demo},
        )
        Order.objects.filter(proxy_id=proxy.pk, consent__isnull=True).update(consent=consent)


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0003_order_under_a_people_proxy"),
        ("people", "0004_proxy_consents_and_their_acts"),
        ("accounts", "0004_user_work_phone"),
    ]

    operations = [migrations.RunPython(forward, backward)]
