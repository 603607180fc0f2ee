"""Generator settings: one frozen dataclass, every knob documented."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

DAY = 86_400  # seconds


@dataclass(frozen=True)
class GeneratorConfig:
    n_leads: int = 20_000
    seed: int = 42
    # the moment the CRM was exported; fixed so that a seed fully determines the data
    export_at: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    history_days: int = 540
    events_per_lead: float = 50.0
    # mean probability that a new lead becomes a customer within 90 days
    conversion_rate: float = 0.10
    # mess planted on purpose; counts are written to the manifest
    duplicate_rate: float = 0.03
    unknown_lead_event_rate: float = 0.003
    future_event_rate: float = 0.001
    bad_duration_rate: float = 0.002
    unknown_event_type_rate: float = 0.0005
    unparseable_timestamp_rate: float = 0.0003
    deleted_rate: float = 0.01
    bounced_rate: float = 0.03
    unsubscribed_rate: float = 0.05
    # events are generated this many leads at a time to bound memory
    chunk_leads: int = 100_000

    @property
    def export_ts(self) -> int:
        return int(self.export_at.timestamp())

    @property
    def start_ts(self) -> int:
        return self.export_ts - self.history_days * DAY

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["export_at"] = self.export_at.isoformat()
        return out
