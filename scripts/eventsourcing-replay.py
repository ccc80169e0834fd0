#!/usr/bin/env python3
"""The Python `eventsourcing` peer of `grant-ledger-bench --corpus grant` (docs/PERFORMANCE.md).

    python3 scripts/eventsourcing-replay.py LEDGER_DIR/ledger.jsonl DATABASE.sqlite

Reads a GrantLedger log (one canonical JSON entry per line, docs/FORMAT.md §3), stores every entry as an event of
an `eventsourcing` 9.x application persisted in SQLite (`PERSISTENCE_MODULE=eventsourcing.sqlite`,
`SQLITE_DBNAME=DATABASE.sqlite`, a new file): one aggregate per application (`application_id`), one per call
(`call_id` of events without an application), and one for the ledger itself (keys, genesis, anything else). Then it
times the replay only: every aggregate reconstructed from its stored events with `repository.get(id)` (no
snapshots, no cache), each event applied to a small projection (status, amounts). It prints one JSON object on
stdout: events replayed, aggregates, seconds, events per second, and the time the storing took (not the figure).
It fails (status 1) unless the events replayed equal the lines of the log.

Nothing here checks hashes or signatures: it is the replay of an event store, the peer of a ledger's state rebuild.
"""

import json
import os
import sys
import time
import uuid

# The environment variables of eventsourcing's persistence, set before the application reads them.
if len(sys.argv) != 3:
    sys.exit("usage: eventsourcing-replay.py LOG.jsonl DATABASE.sqlite")
LOG_PATH, DATABASE = sys.argv[1], sys.argv[2]
if os.path.exists(DATABASE):
    sys.exit(f"{DATABASE} exists already: give a new file")
os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
os.environ["SQLITE_DBNAME"] = DATABASE

import eventsourcing  # noqa: E402
from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402

NAMESPACE = uuid.UUID("6f1d4a52-3b8e-4c55-9a57-2f6f0a1e8c11")


class Stream(Aggregate):
    """The events of one application, one call, or the ledger, with a small projection of them."""

    @staticmethod
    def create_id(name: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, name)

    @event("Opened")
    def __init__(self, name: str, seq: int, type: str, time: str, actor: str, payload: dict) -> None:
        self.name = name
        self.entries = 0
        self.status = None
        self.granted_cents = 0
        self.paid_cents = 0
        self.last_seq = -1
        self._apply(seq, type, payload)

    @event("Recorded")
    def record(self, seq: int, type: str, time: str, actor: str, payload: dict) -> None:
        self._apply(seq, type, payload)

    def _apply(self, seq: int, type: str, payload: dict) -> None:
        if seq <= self.last_seq:
            raise ValueError(f"{self.name}: seq {seq} after {self.last_seq}")
        self.last_seq = seq
        self.entries += 1
        if type == "application.submitted":
            self.status = "submitted"
        elif type == "application.scored":
            self.status = "scored"
        elif type == "decision.recorded":
            self.status = payload.get("outcome")
            self.granted_cents = payload.get("amount_cents", 0)
        elif type == "payment.recorded":
            self.paid_cents += payload["amount_cents"]
        elif type in ("application.withdrawn", "decision.withdrawn"):
            self.status = type
        elif type in ("call.published", "call.amended"):
            self.status = payload.get("envelope_cents")


def stream_name(entry: dict) -> str:
    payload = entry["payload"]
    if "application_id" in payload:
        return "application/" + payload["application_id"]
    if "call_id" in payload:
        return "call/" + payload["call_id"]
    return "ledger"


def main() -> None:
    app = Application()
    streams: dict = {}
    changed: dict = {}
    lines = 0
    started = time.perf_counter()
    with open(LOG_PATH, "rb") as log:
        for line in log:
            entry = json.loads(line)
            lines += 1
            name = stream_name(entry)
            fields = {k: entry[k] for k in ("seq", "type", "time", "actor", "payload")}
            stream = streams.get(name)
            if stream is None:
                stream = streams[name] = Stream(name=name, **fields)
            else:
                stream.record(**fields)
            changed[name] = stream
            # The pending events are saved every 5 000 lines, one SQLite transaction each, so that memory holds the
            # aggregates' small state and not the whole log.
            if lines % 5000 == 0:
                app.save(*changed.values())
                changed.clear()
    app.save(*changed.values())
    ids = [stream.id for stream in streams.values()]
    del streams, changed
    stored = time.perf_counter() - started

    started = time.perf_counter()
    events = 0
    for aggregate_id in ids:
        events += app.repository.get(aggregate_id).version
    seconds = time.perf_counter() - started

    if events != lines:
        sys.exit(f"replayed {events} events, but the log has {lines} lines")
    version = getattr(eventsourcing, "__version__", None)
    if version is None:
        from importlib.metadata import version as package_version

        version = package_version("eventsourcing")
    print(
        json.dumps(
            {
                "events": events,
                "aggregates": len(ids),
                "seconds": round(seconds, 3),
                "events_per_second": round(events / seconds),
                "store_seconds": round(stored, 3),
                "eventsourcing": version,
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
