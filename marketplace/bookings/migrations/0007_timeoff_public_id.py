"""Time off gets a public id (providers remove it from their pages by that id): added empty, filled
row by row, then made unique and required."""

import functools

from django.db import migrations, models

import marketplace.common.models


def fill_public_ids(apps, schema_editor):
    TimeOff = apps.get_model("bookings", "TimeOff")
    for off in TimeOff.objects.filter(public_id__isnull=True).only("pk"):
        off.public_id = marketplace.common.models.new_public_id("off")
        off.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_booking_add_ons"),
    ]

    operations = [
        migrations.AddField(
            model_name="timeoff",
            name="public_id",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="timeoff",
            name="public_id",
            field=models.CharField(
                default=functools.partial(marketplace.common.models.new_public_id, "off"),
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
