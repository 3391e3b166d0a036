"""The canteen's own consents are now people.Proxy (moved by 0004): drop them, and have a
family order name the kernel consent it was placed under."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('canteen', '0004_consents_into_people_proxies'),
        ('people', '0004_proxy_consents_and_their_acts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='order',
            name='canteen_family_order_has_consent',
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('channel', 'family'), _negated=True), ('proxy__isnull', False), _connector='OR'), name='canteen_family_order_has_proxy'),
        ),
        migrations.RemoveField(
            model_name='order',
            name='consent',
        ),
        migrations.DeleteModel(
            name='ProxyConsent',
        ),
    ]
