"""FastAPI dependencies every router shares: the store, the settings, and the tenant behind the API key.

Auth is a dependency (`current_tenant`), never code inside a route: a route that takes it answers 401 without a
valid key, and sees only that tenant's claims, files and jobs. The key itself is never logged or kept.
"""

from __future__ import annotations

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..config import Settings
from ..store import Store
from .errors import ApiError

bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                    description="An API key from `evidence keys create --tenant NAME`, sent as `Bearer evk_...`")


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def current_tenant(request: Request, creds: HTTPAuthorizationCredentials | None = Security(bearer)) -> str:
    """The tenant the API key belongs to; 401 without a valid key. The key itself is never logged or kept."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if creds is None:
        raise ApiError(401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'",
                       "缺少 API 密钥：请发送 'Authorization: Bearer <密钥>'", headers=challenge)
    tenant = request.app.state.store.tenant_for_key(creds.credentials)
    if tenant is None:
        raise ApiError(401, "unauthorized", "unknown or revoked API key", "API 密钥无效或已被吊销",
                       headers=challenge)
    request.state.tenant = tenant.id
    return tenant.id
