"""`mkdocs serve`'s watch on the knowledge base, by the operating system's notifications.

MkDocs polls the docs folder every half second. At 5,000 postmortems each poll lists and
stats every file and compares two listings: 0.08 s of Python, a sixth of a core while
nothing happens, and the polls that fall during a rebuild take the interpreter from it
(0.3 s of a 2.3 s rebuild, measured in process). Where the operating system notifies
changes (watchdog's native observer: inotify, FSEvents, kqueue, ReadDirectoryChangesW),
serving watches the docs folder that way instead, and tells MkDocs through a folder of
one file that MkDocs polls in its place: a change there starts a rebuild, as a change
in the docs folder did. Reading a file is notified too, and every build reads them
all: only changes count. Where no native observer starts, MkDocs's polling stays.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..load.files import write_inside
from .report import log

CHANGES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,  # closed after writing
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
COALESCE = 0.05  # seconds: the notices of one save come within a few milliseconds
SIGNAL = ".watch/changed"  # the one file of the folder MkDocs polls, in serving's own folder


class NativeWatch:
    """The docs `folder` watched by notifications; each change rewrites the one file of
    `signal_dir`, a folder made in `base` (serving's folder of generated files)."""

    def __init__(self, folder: Path, base: Path) -> None:
        self.folder = folder
        self.base = base
        self.signal_dir = base / Path(SIGNAL).parent
        self._count = itertools.count()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._observer = Observer()

    def start(self) -> bool:
        """True when the folder is watched by notifications and the signal folder exists."""
        if isinstance(self._observer, PollingObserver):  # the OS has no notifications
            return False
        if not self._signal():
            return False
        relay = FileSystemEventHandler()
        relay.on_any_event = lambda event: self._soon()  # type: ignore[method-assign]
        try:
            self._observer.schedule(relay, str(self.folder), recursive=True, event_filter=CHANGES)
            self._observer.start()
        except OSError as err:  # out of inotify watches or instances, say
            log.info("%s is polled for changes (notifications failed: %s)", self.folder, err)
            return False
        return True

    def _soon(self) -> None:
        # One save is several notices (modified, closed; an editor's rename): one signal
        # for all of them, so that MkDocs does not build twice for one save.
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(COALESCE, self._fire)
                self._timer.daemon = True
                self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
        self._signal()

    def _signal(self) -> bool:
        why = write_inside(self.base, SIGNAL, f"{next(self._count)}\n".encode())
        if why is not None:
            log.info("%s is polled for changes (%s cannot be written: %s)", self.folder, self.signal_dir, why)
        return why is None

    def stop(self) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join()
