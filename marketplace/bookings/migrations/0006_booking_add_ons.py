from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0005_booking_platform_fee'),
    ]

    operations = [
        migrations.AddField(
            model_name='booking',
            name='add_ons',
            field=models.JSONField(blank=True, default=list),
        ),
    ]
