"""Reading the store without holding up the screen: one helper for every widget.

A widget that shows store data derives from :class:`ReadsStore` and calls
:meth:`ReadsStore.read_store` with the query and what to do with its answer. The query runs
in a worker thread; the answer comes back as a message and is used on the event loop, and an
answer to an older request of the same kind (a search typed on top of another) is dropped.
When the store cannot answer, :class:`StoreProblem` goes up to the app, which says why and
offers to retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.message import Message
from textual.widget import Widget

from centredesk.errors import UserError
from centredesk.store import Store, StoreLockedError
from centredesk.tui.database import Database

R = TypeVar("R")


class StoreProblem(Message):
    """The store could not answer (held by another process, say); ``retry`` asks again."""

    def __init__(self, error: UserError, retry: Callable[[], None]) -> None:
        super().__init__()
        self.error = error
        self.retry = retry


class StoreAnswer(Message, Generic[R], bubble=False):
    """A query's result, for the widget that asked, with the data version it was read at
    (None for a refusal given to ``failed``: it read nothing)."""

    def __init__(
        self,
        kind: str,
        generation: int,
        use: Callable[[R], None],
        result: R,
        version: tuple[int, ...] | None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.generation = generation
        self.use = use
        self.result = result
        self.version = version


class ReadsStore(Widget):
    """A widget or screen whose data comes from the store, read in worker threads.

    List it after the Textual class a widget is (``class Panel(Grid, ReadsStore)``):
    Textual finds a widget's default styles through its first base.
    """

    database: Database
    version: tuple[int, ...] | None = None
    """The store's data version the widget's latest answer was read at: the app reads
    again what is on screen when the store's version moves on (an import elsewhere)."""

    def load(self) -> None:
        """Read what the widget shows again (the app calls it when the data changed)."""
        raise NotImplementedError

    def read_store(
        self,
        call: Callable[[Store], R],
        use: Callable[[R], None],
        *,
        name: str,
        kind: str = "load",
        failed: Callable[[UserError], None] | None = None,
    ) -> None:
        """Run ``call(store)`` in a worker, then ``use(result)`` on the event loop.

        A newer request of the same ``kind`` supersedes an older one still running. A
        :class:`~centredesk.errors.UserError` goes to ``failed`` when given (a job's refusal
        to preview a change, say); a held database, or any error without ``failed``, goes
        up to the app as a :class:`StoreProblem`.
        """
        generations: dict[str, int] = self.__dict__.setdefault("_store_generations", {})
        generation = generations[kind] = generations.get(kind, 0) + 1

        def retry() -> None:
            self.read_store(call, use, name=name, kind=kind, failed=failed)

        def versioned(store: Store) -> tuple[R, tuple[int, ...]]:
            # The version first: data newer than its version is read again, never missed.
            version = store.tables.data_version()
            return call(store), version

        def work() -> None:
            try:
                result, version = self.database.query(versioned, name=name)
            except UserError as error:
                if failed is not None and not isinstance(error, StoreLockedError):
                    self.post_message(StoreAnswer(kind, generation, failed, error, None))
                else:
                    self.post_message(StoreProblem(error, retry))
                return
            self.post_message(StoreAnswer(kind, generation, use, result, version))

        self.run_worker(
            work, name=name, group=f"store-{kind}", thread=True, exclusive=True,
            exit_on_error=False,
        )  # fmt: skip

    def on_store_answer(self, message: StoreAnswer[Any]) -> None:
        message.stop()
        generations: dict[str, int] = self.__dict__.get("_store_generations", {})
        # A thread cannot be stopped midway: an older request may finish after a newer one.
        if message.generation == generations.get(message.kind):
            if message.version is not None:
                self.version = message.version
            message.use(message.result)
