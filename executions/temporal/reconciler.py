"""The orchestration worker's periodic reconciliation."""
import asyncio
import logging

from channels.db import database_sync_to_async

from executions.services.executions import executions_reconcile

logger = logging.getLogger(__name__)


async def reconcile_forever(interval: float) -> None:
    while True:
        try:
            report = await database_sync_to_async(executions_reconcile)()
            if report.started or report.still_pending or report.deliveries_started:
                logger.info(
                    "reconciled: %d started, %d still pending, %d webhook deliveries started",
                    len(report.started),
                    len(report.still_pending),
                    len(report.deliveries_started),
                )
        except Exception:  # noqa: BLE001 - keep reconciling after a bad pass
            logger.exception("reconciliation pass failed")
        await asyncio.sleep(interval)
