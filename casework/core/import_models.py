"""The imported incidents tables: police.uk and partner CSV files loaded for the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.models import Base


class ImportBatch(Base):
    """One upload of another agency's data (police.uk CSV or a mapped generic CSV)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        String(12), default="running"
    )  # insight.ImportStatus: running | done | failed
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    skip_reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]  # last stored progress: a running batch silent for long has stopped
    finished_at: Mapped[datetime | None]


class ImportedIncident(Base):
    """An incident from another agency's data: counted in the picture, never in the inbox."""

    __tablename__ = "imported_incidents"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_imported_incidents_source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    source: Mapped[str] = mapped_column(String(80))
    source_id: Mapped[str] = mapped_column(String(160))
    asb_type: Mapped[str] = mapped_column(String(40))
    ward: Mapped[str | None] = mapped_column(String(80))
    location: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
