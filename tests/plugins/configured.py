"""A plugin with settings: ``[plugins.configured]`` is validated into :class:`Settings`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from clarion import hookimpl

PLUGIN_NAME = "configured"


class Settings(BaseModel):
    greeting: str = "Hello"
    max_items: int = Field(default=5, ge=1, le=50)
    api_key: str = Field(default="", description='Put it in the environment: { "$env" = "NAME" }.')


@hookimpl
def clarion_config_register():
    return Settings
