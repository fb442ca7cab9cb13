"""The ``[plugins.hello]`` section of clarion.toml."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

PLUGIN_NAME = "hello"
HASHTAG = re.compile(r"^#\w+$")


class HelloSettings(BaseModel):
    """Settings of the Hello Social plugin; every field has a default, so the section is optional."""

    # A misspelt key is an error at start-up instead of a setting silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)

    instance: str = Field(
        default="https://social.example.com",
        description="Base URL of the company's Hello Social instance.",
    )
    disclosure_tag: str = Field(default="#ad", description="Hashtag every post must carry, e.g. #ad or #werbung.")
    networks: list[str] = Field(
        default_factory=lambda: ["hello"],
        description="Networks the disclosure rule applies to; an empty list means every network.",
    )
    max_length: int = Field(default=1000, ge=1, description="Longest post Hello Social accepts.")

    @field_validator("instance")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value.rstrip("/")

    @field_validator("disclosure_tag")
    @classmethod
    def _hashtag(cls, value: str) -> str:
        if not HASHTAG.match(value):
            raise ValueError("must be one hashtag such as #ad")
        return value
