"""The social media guidelines as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from clarion.content.guidelines import Acceptance, Guidelines


class GuidelinesOut(BaseModel):
    version: str = Field(description="The version to accept when opting in.", examples=["2026-03"])
    html: str | None = Field(
        description="The published text as sanitised HTML; null while the configured version is in force "
        "(widgets then show their built-in short guidelines).",
        examples=["<ul><li>Share only what you are comfortable sharing.</li></ul>"],
    )
    published_at: datetime | None = Field(examples=["2026-03-01T09:00:00Z"])

    @classmethod
    def of(cls, guidelines: Guidelines) -> GuidelinesOut:
        html = str(guidelines.html) if guidelines.html is not None else None
        return cls(version=guidelines.version, html=html, published_at=guidelines.published_at)


class GuidelinesPublish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(max_length=32, description="A new version name.", examples=["2026-03"])
    body: str = Field(
        max_length=20_000,
        description="The guidelines in Markdown (raw HTML is not kept).",
        examples=["- Share only what you are comfortable sharing.\n- Say that you work here."],
    )


class AcceptanceOut(BaseModel):
    version: str = Field(examples=["2026-03"])
    published_at: datetime | None = Field(
        description="Null for the configured initial version.", examples=["2026-03-01T09:00:00Z"]
    )
    accepted: int = Field(description="Ambassadors taking part whose last accepted version is this one.", examples=[42])
    in_force: bool = Field(examples=[True])


class GuidelinesAcceptanceOut(BaseModel):
    taking_part: int = Field(description="Ambassadors opted in (not paused, not left).", examples=[57])
    versions: list[AcceptanceOut]

    @classmethod
    def of(cls, taking_part: int, rows: list[Acceptance]) -> GuidelinesAcceptanceOut:
        return cls(
            taking_part=taking_part,
            versions=[
                AcceptanceOut(
                    version=row.version, published_at=row.published_at, accepted=row.accepted, in_force=row.in_force
                )
                for row in rows
            ],
        )
