"""What the agent API accepts: pydantic models with the limits of every field (malformed
input is a 422 with a message, never a 500). Shared by the HTTP layer and the desk service."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from db.models import Category


class LoginIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=16, pattern=r"^\d+$")
    password: str = Field(min_length=1, max_length=256)


class QueueIn(BaseModel):
    member: bool


class PauseIn(BaseModel):
    paused: bool
    reason: str = Field(default="", max_length=64)


class TicketForm(BaseModel):
    # a draft is stored as sent: unknown keys and non-finite numbers are refused, not kept
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    category: Category | None = None
    address: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=64)
    callback_number: str = Field(default="", max_length=20)
    confirmed_problem: bool = False
    confirmed_address: bool = False
    confirmed_name: bool = False
    confirmed_phone: bool = False
    station_code: str | None = Field(default=None, max_length=16)
    priority: int = Field(default=0, ge=0, le=100)
    notes: str = Field(default="", max_length=4000)
    account_no: str | None = Field(default=None, max_length=20)


class AssignIn(BaseModel):
    agent_no: str = Field(min_length=1, max_length=16, pattern=r"^\d+$")
