from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('whistle', '0023_notices_to_kernel'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
