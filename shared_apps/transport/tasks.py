"""The district centre's periodic telemetry job (public schema): the coming week's partitions of
GPS points created, and the days past the retention period dropped. Idempotent."""

from celery import shared_task

from shared_apps.transport import telemetry


@shared_task(name="shared_apps.transport.tasks.point_partitions_task")
def point_partitions_task() -> dict[str, list[str]]:
    """Create the next 7 days' partitions that are missing; drop those past retention."""
    return {
        "created": telemetry.partitions_ensure(days=7, actor=telemetry.PARTITIONS),
        "dropped": telemetry.partitions_prune(actor=telemetry.PARTITIONS),
    }
