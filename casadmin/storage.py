"""One storage layer for every stored file (STYLE §10): a local directory by default.

Files live outside the web root under a random key; the database row
(:class:`casadmin.models.Archivo`) keeps the SHA-256, size and page count.
Writes go to a temporary file first and are renamed into place, so a crash
never leaves a half-written file under a real key.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from flask import current_app


@dataclass(frozen=True)
class Stored:
    clave: str
    sha256: str
    tamano: int


class LocalStorage:
    """Files under one directory, sharded by the first characters of the key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, clave: str) -> Path:
        if not clave or "/" in clave or "\\" in clave or clave.startswith("."):
            raise ValueError("clave de archivo inválida")
        return self.root / clave[:2] / clave

    def save(self, data: bytes | BinaryIO) -> Stored:
        clave = secrets.token_hex(20)
        path = self._path(clave)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Stored(clave=clave, sha256=digest.hexdigest(), tamano=size)

    def enlazar(self, clave: str) -> str:
        """Give a stored file a second, new random key without copying it (a hard link); returns the key.

        The content under a key never changes, so both keys name the same bytes; deleting one
        leaves the other. The applicant portal uses it to turn a checked draft upload into the
        application's own file without writing 1 MB again (issue 4). Raises ``FileNotFoundError``
        when ``clave`` is not stored.
        """
        origen = self._path(clave)
        nueva = secrets.token_hex(20)
        destino = self._path(nueva)
        destino.parent.mkdir(parents=True, exist_ok=True)
        os.link(origen, destino)
        return nueva

    def open(self, clave: str) -> BinaryIO:
        return self._path(clave).open("rb")

    def exists(self, clave: str) -> bool:
        return self._path(clave).exists()

    def delete(self, clave: str) -> None:
        self._path(clave).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every stored key (for the orphan cleanup)."""
        if not self.root.exists():
            return
        for shard in self.root.iterdir():
            if shard.is_dir() and len(shard.name) == 2:
                for f in shard.iterdir():
                    if not f.name.startswith("."):
                        yield f.name


def _chunks(data: bytes | BinaryIO, size: int = 1 << 16) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
        return
    while True:
        chunk = data.read(size)
        if not chunk:
            break
        yield chunk


def get_storage() -> LocalStorage:
    """The app's storage (configured by ``STORAGE_DIR``)."""
    return LocalStorage(Path(current_app.config["STORAGE_DIR"]) / "files")
