"""A thread-safe queue whose blocking waits all sit behind its ``block`` flag (and, for
the untimed wait, behind ``timeout is None``); ``put_nowait()`` is ``put(block=False)``."""
import threading


class State:
    def __init__(self) -> None:
        self.items: list[object] = []

    def full(self) -> bool:
        return len(self.items) > 10


class SyncQueue:
    def __init__(self) -> None:
        self._state = State()
        self._not_full = threading.Condition()

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
        with self._not_full:
            if not block:
                if self._state.full():
                    raise OverflowError
            elif timeout is None:
                while self._state.full():
                    self._not_full.wait()
            else:
                while self._state.full():
                    self._not_full.wait(timeout)
            self._state.items.append(item)

    def put_nowait(self, item: object) -> None:
        return self.put(item, block=False)

    def put_blocking(self, item: object) -> None:
        return self.put(item, block=True)

    def get(self, block: bool = True) -> object:
        with self._not_full:
            if block:
                while not self._state.items:
                    self._not_full.wait()
            return self._state.items.pop()
