"""Request and response bodies of the widget session exchange."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1,
        max_length=4096,
        description="A single-use identity token from the intranet backend (HS256, jti, at most 5 minutes).",
        examples=["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbWlyIn0.c2lnbmF0dXJl"],
    )


class SessionOut(BaseModel):
    session_token: str = Field(
        description="Send as 'Authorization: Bearer <session_token>'; keep it in memory only.",
        examples=["cws.eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJhYmMifQ.c2lnbmF0dXJl"],
    )
    csrf_token: str = Field(
        description="For requests that rely on the session cookie instead: send it as X-Clarion-CSRF.",
        examples=["3f1c0e8a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e"],
    )
    expires_at: datetime = Field(examples=["2026-11-22T12:00:00Z"])
    ambassador_id: int = Field(examples=[42])
