"""What a sync reports: counts, and every item it skipped or found ambiguous, with where and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Skip:
    """Something sync could not use, where it was, and why."""

    position: str
    reason: str

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}"


@dataclass
class SyncReport:
    """What one sync did, in counts, with every skipped or ambiguous item and where it was."""

    noun: str = "messages"
    read: int = 0
    added: int = 0
    already_synced: int = 0
    created: int = 0
    recreated: int = 0
    discovered: int = 0
    discovered_interactions: int = 0
    suppressed: int = 0
    dismissed: int = 0
    ambiguous: list[Skip] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    # Messages with more counterparts than one message may bring (a mailing to thousands), and how many were skipped.
    crowded: list[Skip] = field(default_factory=list)
    counterparts_skipped: int = 0
    counterpart_limit: int = 0

    # Enough lines to show the pattern without burying the terminal.
    DETAILS_SHOWN = 20

    def lines(self) -> list[str]:
        lines = [
            f"{self.noun.capitalize()} read: {self.read}",
            f"Interactions added: {self.added}",
            f"Already synced before: {self.already_synced}",
            f"People created: {self.created}",
            f"People re-created: {self.recreated}",
            f"Discovered: {self.discovered} new (interactions: {self.discovered_interactions})",
            f"Suppressed: {self.suppressed} interactions dropped",
        ]
        if self.dismissed:
            lines.append(f"Dismissed from Discovered People: {self.dismissed} interactions ignored")
        if self.crowded:
            n = len(self.crowded)
            heading = (
                f"Counterparts skipped: {self.counterparts_skipped} ({n} {self.noun if n != 1 else self.noun[:-1]} "
                f"had more than {self.counterpart_limit}; only the first {self.counterpart_limit} of each were taken)"
            )
            lines += self._details(heading, self.crowded)
        lines += self._details(f"Ambiguous: {len(self.ambiguous)} (several people match; not guessed)", self.ambiguous)
        by_reason = Counter(_reason_group(s.reason) for s in self.skipped)
        heading = f"Skipped: {len(self.skipped)} {self.noun if len(self.skipped) != 1 else self.noun[:-1]}"
        if by_reason:
            heading += " (" + ", ".join(f"{n} {reason}" for reason, n in by_reason.most_common()) + ")"
        lines += self._details(heading, self.skipped)
        return lines

    def _details(self, heading: str, items: list[Skip]) -> list[str]:
        lines = [heading]
        lines += [f"  {item}" for item in items[: self.DETAILS_SHOWN]]
        if len(items) > self.DETAILS_SHOWN:
            lines.append(f"  ... and {len(items) - self.DETAILS_SHOWN} more")
        return lines


def _reason_group(reason: str) -> str:
    # "bad phone number '12'" and "bad phone number '9'" count as one kind of reason.
    return reason.split(" '", 1)[0].split(": ", 1)[0]


class SourceUnreadable(Exception):
    """The file or folder cannot be read at all; nothing was synced."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Called with (items done, total items or None) as a sync goes.
Progress = Callable[[int, int | None], None]
