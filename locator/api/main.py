"""Entry for uvicorn workers: `uvicorn --factory locator.api.main:app_from_env` (settings from env)."""

from __future__ import annotations

from fastapi import FastAPI

from locator.api.app import create_app
from locator.api.settings import ApiSettings


def app_from_env() -> FastAPI:
    return create_app(ApiSettings.from_env())
