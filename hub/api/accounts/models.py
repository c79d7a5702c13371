"""Bodies and answers of sign-in and of the accounts API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub import auth


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    username: str
    role: str
    expires: str
    token: str | None = Field(None, description="also set as an HttpOnly cookie; send as 'Authorization: Bearer'")


class AccountOut(BaseModel):
    username: str
    role: Literal["staff", "manager"]
    created: str
    disabled: str | None = Field(description="when the account was disabled; null: active")
    sessions: int = Field(description="open sessions")


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(pattern=r"^[A-Za-z0-9._-]{2,40}$")
    password: str = Field(min_length=auth.MIN_PASSWORD, max_length=auth.MAX_PASSWORD)
    role: Literal["staff", "manager"] = "staff"


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    password: str = Field(min_length=auth.MIN_PASSWORD, max_length=auth.MAX_PASSWORD)
