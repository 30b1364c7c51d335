"""What an import would change: stations added, changed (each field's old and new value) and
deleted, computed before anything is written, so that `--dry-run` can show it and the write is
one change set.

Modes (the product contract): `add` takes new ids only (an existing id is an error naming every
such id); `update` changes existing ids and adds new ones; `replace` makes the file the whole
registry (current stations missing from it are deleted).

In `update` and `replace`, a property the file does not give for a station it shares with the
registry (no such column, an empty cell, a GeoJSON feature without it) keeps its current value:
a spreadsheet of names and hours must not wipe the operators, notes or sign codes staff entered,
nor turn an `approximate` position into `exact` by the default. A field is cleared with
`locator edit ID --set FIELD=`.

The current registry is reached through `Current`, two questions asked once each, so that a
store of 10⁶ stations is never held as 10⁶ objects: the stations among the file's ids, and (for
`replace` only) the stations whose id the file does not hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

import orjson

from locator.errors import Problem, RegistryInvalid
from locator.model import PROPERTY_ORDER, Station
from locator.store.base import Change

Mode = Literal["add", "update", "replace"]
MODES: Final[tuple[Mode, ...]] = ("add", "update", "replace")
#: At most this many existing ids are named, one line each, when `add` refuses them.
MAX_LISTED: Final = 1000
#: Properties every station's file row gives (required); the others are kept when not given.
_REQUIRED: Final = frozenset({"id", "name", "type", "amenities", "source"})
_KEPT: Final = tuple(f for f in PROPERTY_ORDER if f not in _REQUIRED)


def keep_absent(old: Station, new: Station, given: frozenset[str]) -> Station:
    """`new` with every optional property the file did not give taken from `old`."""
    kept = {f: getattr(old, f) for f in _KEPT if f not in given}
    extra = {k: v for k, v in old.extra.items() if k not in given}
    if not kept and not extra:
        return new
    return dataclasses.replace(new, **kept, extra={**extra, **new.extra} if extra else new.extra)


class Current(Protocol):
    """The registry as it is now (a store, or the stations of a GeoJSON file)."""

    def find(self, ids: Collection[str]) -> dict[str, Station]:
        """The current stations whose id is in `ids`."""
        ...

    def others(self, ids: Collection[str]) -> Iterator[Station]:
        """The current stations whose id is not in `ids`, in registry order."""
        ...


class InMemory:
    """`Current` over a list of stations (a GeoJSON registry, tests)."""

    def __init__(self, stations: Iterable[Station]) -> None:
        self.by_id = {s.id: s for s in stations}

    def find(self, ids: Collection[str]) -> dict[str, Station]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    def others(self, ids: Collection[str]) -> Iterator[Station]:
        return (s for i, s in self.by_id.items() if i not in ids)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # a property name, or "geometry"
    old: Any  # the property value (None when absent); geometry as (lat, lon)
    new: Any


@dataclass(frozen=True, slots=True)
class Changed:
    old: Station
    new: Station
    fields: list[FieldChange]


@dataclass
class Plan:
    mode: Mode
    added: list[Station] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    deleted: list[Station] = field(default_factory=list)
    unchanged: int = 0
    stations: list[Station] = field(default_factory=list)  # the file's stations as they will be written

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.deleted)} deleted, "
            f"{self.unchanged} unchanged"
        )

    def changes(self) -> list[Change]:
        """The store changes: op "import" for added and changed stations, "delete" for the
        others. `expect` makes the store re-check the plan inside its transaction."""
        out = [Change(s.id, s, "import", expect="new") for s in self.added]
        out.extend(Change(c.new.id, c.new, "import", expect="existing") for c in self.changed)
        out.extend(Change(s.id, None, "delete", expect="existing") for s in self.deleted)
        return out

    def lines(self) -> Iterator[str]:
        """The change set as staff read it: `+ ID name`, `~ ID` then `    field: old → new`,
        `- ID name` (one station after another, so a long plan streams)."""
        yield self.summary()
        for s in self.added:
            yield f"+ {s.id} {s.name}"
        for c in self.changed:
            yield f"~ {c.new.id}"
            for f in c.fields:
                yield f"    {f.field}: {_shown(f.field, f.old)} → {_shown(f.field, f.new)}"
        for s in self.deleted:
            yield f"- {s.id} {s.name}"


def _shown(name: str, value: Any) -> str:
    if name == "geometry":
        lat, lon = value
        return f"{lat},{lon}"
    return orjson.dumps(value).decode()  # quoted text, lists and null: nothing is ambiguous


def field_changes(old: Station, new: Station) -> list[FieldChange]:
    """Each property whose value differs (in the registry's property order), then geometry."""
    before, after = old.properties(), new.properties()
    rank = {k: i for i, k in enumerate(PROPERTY_ORDER)}
    keys = sorted(before.keys() | after.keys(), key=lambda k: (rank.get(k, len(rank)), k))
    out = [FieldChange(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
    if (old.lon, old.lat) != (new.lon, new.lat):
        out.append(FieldChange("geometry", (old.lat, old.lon), (new.lat, new.lon)))
    return out


def plan_import(
    current: Current,
    incoming: Sequence[Station],
    mode: Mode,
    *,
    source: str = "FILE",
    given: Sequence[frozenset[str]] | None = None,
) -> Plan:
    """The change set of importing `incoming` (already validated, unique ids) in `mode`.
    `given` (parallel to `incoming`) names the properties the file gave for each station; the
    others keep their current values (module doc). `plan.stations` is what gets written.
    Raises RegistryInvalid naming every existing id when `mode` is "add"."""
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r} (allowed: {', '.join(MODES)})")
    ids = {s.id for s in incoming}
    existing = current.find(ids)
    if mode == "add" and existing:
        taken = [s.id for s in incoming if s.id in existing]
        problems = [
            Problem(f"{source}:{sid}", "id", "already in the registry (use --mode update to change it)")
            for sid in taken[:MAX_LISTED]
        ]
        if len(taken) > MAX_LISTED:
            problems.append(Problem(source, "id", f"… and {len(taken) - MAX_LISTED} more ids already in the registry"))
        raise RegistryInvalid(source, problems)
    plan = Plan(mode)
    for i, s in enumerate(incoming):
        old = existing.get(s.id)
        if old is not None and given is not None:
            s = keep_absent(old, s, given[i])
        plan.stations.append(s)
        if old is None:
            plan.added.append(s)
        elif old == s:
            plan.unchanged += 1
        else:
            fields = field_changes(old, s)
            if fields:
                plan.changed.append(Changed(old, s, fields))
            else:  # equal content (e.g. the same extra properties in another order)
                plan.unchanged += 1
    if mode == "replace":
        plan.deleted.extend(current.others(ids))
    return plan
