"""An uploaded file kept between its preview and the user's confirmation: the bytes in a
private folder under MEDIA_ROOT (never served), a token in the user's session, and the
preview's signature so the confirmation can tell whether the data changed in between.
Used once; forgotten uploads go after a day."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings

FORGOTTEN_AFTER = 86400  # seconds


class PendingUploads:
    def __init__(self, session_key: str, folder: str):
        self.session_key = session_key
        self.folder_name = folder

    def folder(self) -> Path:
        folder = Path(settings.MEDIA_ROOT) / "private" / self.folder_name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def keep(self, request, data: bytes, **info) -> str:
        folder = self.folder()
        for stale in folder.glob("*.upload"):
            if stale.stat().st_mtime < time.time() - FORGOTTEN_AFTER:
                stale.unlink(missing_ok=True)
        token = secrets.token_urlsafe(18)
        (folder / f"{token}.upload").write_bytes(data)
        pending = request.session.get(self.session_key, {})
        pending[token] = info
        request.session[self.session_key] = pending
        return token

    def take(self, request, token: str) -> tuple[dict, bytes] | None:
        """(info, bytes) of a kept upload, removed from the store; None if it is gone."""
        pending = request.session.get(self.session_key, {})
        info = pending.pop(token, None) if token else None
        request.session[self.session_key] = pending
        if info is None or not token.replace("-", "").replace("_", "").isalnum():
            return None
        path = self.folder() / f"{token}.upload"
        if not path.exists():
            return None
        data = path.read_bytes()
        path.unlink(missing_ok=True)
        return info, data
