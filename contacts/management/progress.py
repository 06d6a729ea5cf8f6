"""Progress bars for the commands that go through many rows (import_contacts, sync_mailbox, sync_calls).

Drawn by tqdm on the command's stderr, so stdout keeps only the summary (scripts read it), and only
when stderr is a terminal, without --no-progress and above --verbosity 0. A run quicker than
SHOW_AFTER_SECONDS draws nothing at all. A bar is a `Progress` callable: (done, total or None).
"""

from __future__ import annotations

from tqdm import tqdm

# Below this a command is quick enough to need no bar (tqdm's `delay`).
SHOW_AFTER_SECONDS = 1.0


def add_progress_argument(parser) -> None:
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="Draw no progress bar on stderr (none is drawn either when stderr is not a terminal, or at --verbosity 0).",
    )


class Bars:
    """The bars of one command run: `bars.bar("rows checked")` is a Progress callable, or None when off."""

    def __init__(self, command, options: dict):
        self.stream = command.stderr._out  # the terminal itself: OutputWrapper would end every write with "\n"
        self.on = not options.get("no_progress") and options.get("verbosity", 1) > 0 and command.stderr.isatty()
        self.open: list[tqdm] = []

    def bar(self, what: str):
        if not self.on:
            return None
        drawn: list[tqdm] = []

        def progress(done: int, total: int | None) -> None:
            if not drawn:
                drawn.append(tqdm(total=total, desc=what, file=self.stream, delay=SHOW_AFTER_SECONDS, unit=""))
                self.open.append(drawn[0])
            drawn[0].update(done - drawn[0].n)

        return progress

    def __enter__(self) -> Bars:
        return self

    def __exit__(self, *exc) -> None:
        # Each bar ends its line (when it was drawn), before the summary or the error is printed.
        for bar in self.open:
            bar.close()
