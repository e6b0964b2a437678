"""Stored files: the bytes of every upload and every issued document live in the
database so that several application servers see the same files."""
from __future__ import annotations

import hashlib

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from extensions import db
from models.base import TimestampMixin


class StoredFile(TimestampMixin, db.Model):
    __tablename__ = "stored_files"
    __table_args__ = (CheckConstraint("size >= 0", name="size_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name shown to the user for the download, never used as a path.
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred so that listing files never loads their bytes.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    @classmethod
    def from_bytes(cls, filename: str, media_type: str, content: bytes) -> StoredFile:
        return cls(
            filename=filename,
            media_type=media_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )

    def __str__(self) -> str:
        return self.filename
