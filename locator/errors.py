"""Domain errors. They import nothing from any face; the API and CLI map them to codes."""

from __future__ import annotations

from dataclasses import dataclass


class LocatorError(Exception):
    """Base of every error the core raises on purpose."""


class InvalidParameter(LocatorError):
    """A caller-supplied value is wrong; `name` is the parameter, `reason` what is wrong."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class StationNotFound(LocatorError):
    def __init__(self, station_id: str) -> None:
        super().__init__(f"no station with id {station_id!r}")
        self.station_id = station_id


class StationDeleted(StationNotFound):
    """The id names a station a revision deleted: say when, and how to bring it back."""

    def __init__(self, station_id: str, rev: int, at: str, by: str) -> None:
        LocatorError.__init__(
            self,
            f"{station_id!r} was deleted at revision {rev} ({at}, by {by}); "
            f"bring it back with: locator revert {station_id} {rev - 1}",
        )
        self.station_id, self.rev = station_id, rev


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a registry or import file, printed as `PLACE: field: message`."""

    place: str
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{self.place}: {self.field}: {prefix}{self.message}"


class RegistryInvalid(LocatorError):
    """A registry or import file has errors; `problems` lists all of them (warnings included)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        errors = [p for p in problems if not p.warning]
        super().__init__(f"{source}: {len(errors)} problem(s)")
        self.source = source
        self.problems = problems
