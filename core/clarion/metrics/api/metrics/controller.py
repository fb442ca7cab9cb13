"""``/api/v1/shares/{id}/metrics``: a share's metric history (the ``metrics-import`` plugin adds the CSV import)."""

from __future__ import annotations

from litestar import get

from clarion.metrics import metrics as metric_service
from clarion.metrics.api.metrics.schemas import ShareMetricsOut
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, problems

AMBASSADOR = {"role": Role.AMBASSADOR.value}


class MetricsController(ClarionController):
    path = "/api/v1"
    tags = ["metrics"]

    @get(
        "/shares/{share_id:int}/metrics",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Read a share's metric history",
        description=(
            "Every sample with its value, source (measured, reported, estimated), origin and time, the newest per "
            "metric, and where polling the network stands. Ambassadors read their own shares; editors and admins "
            "any share."
        ),
        responses=problems(404),
    )
    def share_metrics(self, engine: EngineDep, actor: ActorDep, share_id: IdPath) -> ShareMetricsOut:
        with engine.transaction() as session:
            return ShareMetricsOut.of(metric_service.read_share_metrics(session, actor, share_id))
