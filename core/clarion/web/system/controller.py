"""Plugins, networks and health: what this Clarion is made of and whether it is well."""

from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from clarion.errors import DatabaseError
from clarion.models import Role
from clarion.schema import schema_status
from clarion.web.auth import PUBLIC, ActorDep, ClarionController, EngineDep
from clarion.web.common import problems
from clarion.web.system.schemas import HealthOut, NetworkOut, PluginOut


class SystemController(ClarionController):
    tags = ["system"]

    @get(
        "/api/v1/plugins",
        sync_to_thread=True,
        opt={"role": Role.ADMIN.value},
        summary="Loaded plugins",
        responses=problems(),
    )
    def plugins(self, engine: EngineDep, actor: ActorDep) -> list[PluginOut]:
        return [
            PluginOut(
                name=record.name,
                source=record.source.value,
                module=record.module,
                version=record.version,
                distribution=record.distribution,
                blocked=record.blocked,
                hooks=record.hooks,
            )
            for record in engine.pm.describe()
        ]

    @get(
        "/api/v1/networks",
        sync_to_thread=False,
        opt={"role": Role.AMBASSADOR.value},
        summary="Networks one can share to",
        responses=problems(),
    )
    def networks(self, engine: EngineDep, actor: ActorDep) -> list[NetworkOut]:
        return [
            NetworkOut(key=c.key, label=c.label, capabilities=sorted(str(cap) for cap in c.capabilities))
            for c in engine.connectors().values()
        ]

    @get(
        "/healthz",
        sync_to_thread=True,
        opt={"role": PUBLIC},
        summary="Health",
        description="Database reachability and schema version; 503 when either is wrong.",
        responses={
            503: ResponseSpec(
                data_container=HealthOut,
                description="The database is unreachable or its schema is out of date.",
                generate_examples=False,
            )
        },
    )
    def healthz(self, engine: EngineDep) -> Response[HealthOut]:
        try:
            status = schema_status(engine.db, engine.schemas().values())
        except DatabaseError as exc:
            body = HealthOut(
                status="degraded", database="unreachable", schema_revision=None, schema_head=None, detail=exc.detail
            )
            return Response(body, status_code=503)
        healthy = status.up_to_date
        body = HealthOut(
            status="ok" if healthy else "degraded",
            database="ok",
            schema_revision=status.current,
            schema_head=status.head,
            detail=None if healthy else "schema out of date: run `clarion db upgrade`",
        )
        return Response(body, status_code=200 if healthy else 503)
