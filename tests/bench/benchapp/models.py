import os

from django.db import models


class MeterReading(models.Model):
    """A utility meter reading, the shape of a typical school table."""

    meter = models.CharField(max_length=32)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    read_at = models.DateTimeField()

    if os.environ.get("BENCH_STAGE", "1") == "2":
        note = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.meter
