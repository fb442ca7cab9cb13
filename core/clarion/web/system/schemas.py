"""Plugins, networks and health as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PluginOut(BaseModel):
    name: str = Field(examples=["connector-linkedin"])
    source: str = Field(description="built-in, entry point, config or registered", examples=["built-in"])
    module: str = Field(examples=["clarion_plugins.connectors.linkedin"])
    version: str | None = Field(examples=["0.1.0"])
    distribution: str | None = Field(examples=[None])
    blocked: bool = Field(examples=[False])
    hooks: list[str] = Field(examples=[["clarion_connectors_register"]])


class NetworkOut(BaseModel):
    key: str = Field(examples=["linkedin"])
    label: str = Field(examples=["LinkedIn"])
    capabilities: list[str] = Field(examples=[["intent"]])


class HealthOut(BaseModel):
    status: str = Field(description="ok, or degraded when something is wrong", examples=["ok"])
    database: str = Field(examples=["ok"])
    schema_revision: str | None = Field(examples=["0001"])
    schema_head: str | None = Field(examples=["0001"])
    detail: str | None = Field(default=None, examples=[None])
