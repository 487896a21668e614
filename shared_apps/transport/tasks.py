"""The district centre's jobs (public schema): the periodic telemetry job (the coming week's
partitions of GPS points created, and the days past the retention period dropped) and the route
planner's runs. Idempotent."""

from celery import shared_task

from shared_apps.transport import selectors, services, telemetry


@shared_task(name="shared_apps.transport.tasks.point_partitions_task")
def point_partitions_task() -> dict[str, list[str]]:
    """Create the next 7 days' partitions that are missing; drop those past retention."""
    return {
        "created": telemetry.partitions_ensure(days=7, actor=telemetry.PARTITIONS),
        "dropped": telemetry.partitions_prune(actor=telemetry.PARTITIONS),
    }


@shared_task(name="shared_apps.transport.tasks.route_plan_task")
def route_plan_task(plan_id: int) -> str:
    """Solve a queued route plan (services.route_plan_solve); a plan already solved is left
    alone. A plan the planner fails on is marked failed, with the error."""
    plan = selectors.route_plan_list().across_schools().filter(pk=plan_id).first()
    if plan is None:
        return "gone"
    try:
        return services.route_plan_solve(plan=plan, actor=services.PLANNER).status
    except Exception as exc:
        services.route_plan_fail(plan=plan, error=str(exc)[:200], actor=services.PLANNER)
        raise
