"""Logins of the web UI: ``--auth user:password`` parsed (:func:`parse_auth`), and the throttle Gradio
calls for every login attempt (:class:`LoginThrottle`). Nothing here imports Gradio.

>>> parse_auth("alice:s3:cret, bob:pw")
[('alice', 's3:cret'), ('bob', 'pw')]
"""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Callable


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``user:password`` (several separated by commas) -> Gradio's auth list."""
    if not value:
        return None
    out = []
    for item in value.split(","):
        user, sep, pw = item.strip().partition(":")
        if not sep or not user or not pw:
            raise ValueError("--auth must look like user:password")
        out.append((user, pw))
    return out


class LoginThrottle:
    """Gradio's ``auth`` callable (pass :meth:`check`): checks ``user:password`` pairs and throttles
    failed logins.

    Gradio 6 calls ``auth(username, password)`` and nothing else (its ``/login`` route does not pass
    the request), so the client's address is not known here: failures are counted per user name, and
    over all names together. After ``free`` failures in a row for a name, attempts for that name are
    spaced ``base * 2**k`` seconds apart (k grows with every failure, attempts still waiting included;
    at most ``max_delay``); after ``global_free`` failures within ``window`` seconds over all names,
    every attempt is spaced ``global_interval`` seconds from the previous one. An attempt that would
    wait longer than ``max_wait`` seconds is refused at once, its password unchecked (HTTP 400 "too
    many failed logins"). A successful login clears its name's failures; a name's failures are
    forgotten ``forget`` seconds after the last one. The price of not knowing the client: someone
    guessing a name's password also delays (while the attack lasts, refuses) that user's own logins.

    >>> th = LoginThrottle([("alice", "pw")], clock=lambda: 0.0)
    >>> asyncio.run(th.check("alice", "pw")), asyncio.run(th.check("alice", "nope"))
    (True, False)
    """

    def __init__(self, accounts: list[tuple[str, str]], free: int = 3, base: float = 1.0, max_delay: float = 30.0,
                 max_wait: float = 30.0, global_free: int = 20, global_interval: float = 1.0, window: float = 60.0,
                 forget: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], object] = asyncio.sleep):
        self._accounts = {u: p for u, p in accounts}
        self.free, self.base, self.max_delay, self.max_wait = free, base, max_delay, max_wait
        self.global_free, self.global_interval, self.window, self.forget = global_free, global_interval, window, forget
        self._clock, self._sleep = clock, sleep
        self._users: dict[str, list[float]] = {}  # name -> [failures, pending, next slot, last failure]
        self._global = [0, 0.0, 0.0]  # [failures in the window, window start, next slot]
        self.refused = 0  # attempts refused without a check (tests and logs)

    def _user(self, name: str, now: float) -> list[float]:
        st = self._users.get(name)
        if st is None or (st[1] == 0 and now - st[3] > self.forget):
            st = self._users[name] = [0, 0, 0.0, now]
            if len(self._users) > 4096:  # many names tried: forget the oldest
                self._users.pop(next(iter(self._users)))
        return st

    async def check(self, username: str, password: str) -> bool:
        """The callable for ``launch(auth=...)``: a coroutine function, so Gradio awaits it and a
        throttled attempt waits without blocking the server."""
        name = str(username or "")[:256]
        now = self._clock()
        st, g = self._user(name, now), self._global
        if now - g[1] > self.window:
            g[0], g[1] = 0, now
        user_throttled = st[0] + st[1] >= self.free
        global_throttled = g[0] >= self.global_free
        start = now
        if user_throttled:
            start = max(start, st[2])
        if global_throttled:
            start = max(start, g[2])
        if start - now > self.max_wait:
            self.refused += 1
            from fastapi import HTTPException

            # 400 like a wrong password (Gradio's login page shows its "incorrect credentials" only for
            # 400); the detail tells an API client why
            raise HTTPException(status_code=400, detail=f"too many failed logins: try again in "
                                                        f"{int(start - now - self.max_wait) + 1} s")
        if user_throttled:
            st[2] = start + min(self.base * 2 ** (st[0] + st[1] - self.free), self.max_delay)
        if global_throttled:
            g[2] = start + self.global_interval
        st[1] += 1
        try:
            if start > now:  # no await otherwise: the check and its count happen in one step
                await self._sleep(start - now)
            pw = self._accounts.get(name)
            ok = pw is not None and hmac.compare_digest(str(password or "").encode(), pw.encode())
        finally:
            st[1] -= 1
        if ok:
            st[0], st[2] = 0, 0.0
        else:
            st[0] += 1
            st[3] = self._clock()
            if self._clock() - g[1] > self.window:
                g[0], g[1] = 0, self._clock()
            g[0] += 1
        return ok
