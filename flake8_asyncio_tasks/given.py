"""What a call passes, and whether that skips a guarded range of the callee: the
reading side of the guard tokens that :mod:`~flake8_asyncio_tasks.guards` makes
(:func:`satisfied_by`, :func:`skips`), and the argument readers the blocking checks
share (flags, timeouts, literals, ``*args``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Final

from flake8_asyncio_tasks.names import _is_none
from flake8_asyncio_tasks.tables import NON_BLOCKING_ARGS, TIMEOUT_ARGS, TIMEOUT_ARGS_BY_NAME

#: the guard tokens of each blocking call of one function (one frozenset per call)
Alternatives = tuple[frozenset[str], ...]

_LITERALS: Final = (ast.Constant, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.JoinedStr,
                    ast.DictComp, ast.ListComp, ast.SetComp)


def misses_affixes(value: ast.expr, payload: str) -> bool:
    """The string ``value`` (a constant, or an f-string's constant head) has none of the
    affixes of a ``<`` token's ``payload``; anything else may have one."""
    kind, affixes = payload[0], payload[1:].split("\0")
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        text = value.value
        return not any(text.startswith(a) if kind == "s" else text.endswith(a)
                       for a in affixes)
    if kind == "s" and isinstance(value, ast.JoinedStr) and value.values and isinstance(
            head := value.values[0], ast.Constant) and isinstance(head.value, str):
        # f"env/{x}": the head decides when it and each affix differ in their overlap
        start = head.value
        return all(start[:len(a)] != a[:len(start)] for a in affixes)
    return False


def is_display(node: ast.expr) -> bool:
    """A constant or a display: never a path object."""
    return isinstance(node, _LITERALS)


def is_zero(node: ast.expr) -> bool:
    """The number 0 (or 0.0)."""
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and (
        node.value == 0)


def false_constant(node: ast.expr) -> bool:
    """A constant that is false: ``False``, ``0``, ``None``, ``""`` (not ``b""``)."""
    return isinstance(node, ast.Constant) and not node.value and not isinstance(
        node.value, bytes)


def arguments_by_name(call: ast.Call, parameters: tuple[str, ...]
                      ) -> dict[str, ast.expr] | None:
    """What ``call`` passes for each parameter it fills (by position in ``parameters``,
    or by keyword); ``None`` with ``*args``/``**kwargs`` (nobody can tell)."""
    given: dict[str, ast.expr] = {}
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return None
        if index < len(parameters):
            given[parameters[index]] = arg
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        given[keyword.arg] = keyword.value
    return given


def skips(call: ast.Call, parameters: tuple[str, ...], alternatives: Alternatives,
          nonempty: Callable[[str], bool] | None = None) -> bool:
    """``call`` satisfies one token of each frozenset of ``alternatives`` (by keyword,
    or by position in ``parameters``); ``*args``/``**kwargs``: unknown, so no.
    ``nonempty``: whether the caller knows a queue (``"self.queue"``) is not empty at
    ``call`` (for ``"~"`` tokens; without it they never hold)."""
    given = arguments_by_name(call, parameters)
    if given is None or not alternatives:
        return False
    return satisfied_by(given, alternatives, nonempty)


def satisfied_by(given: dict[str, ast.expr], alternatives: Alternatives,
                 nonempty: Callable[[str], bool] | None = None) -> bool:
    """The arguments ``given`` (parameter -> value; a parameter left out is absent)
    satisfy one token of each frozenset of ``alternatives``: see :func:`skips`."""
    if not alternatives:
        return False

    def satisfied(token: str) -> bool:
        first = token[0]
        if first == "~":
            return nonempty is not None and nonempty(token[1:])
        if first == "+":
            optional = token[1:2] == "?"
            value = given.get(token[2:] if optional else token[1:])
            return optional if value is None else true_constant(value)
        if first in "!?":
            value = given.get(token[1:])
            if value is None:
                return first == "?"
            return false_constant(value)
        if first in "=^":
            optional = token[1:2] == "?"
            name, _, mode = token[2 if optional else 1:].partition("=")
            value = given.get(name)
            if value is None:
                return optional
            if not isinstance(value, ast.Constant):
                return False
            return value.value != mode if first == "=" else value.value == mode
        if first == "&":
            optional = token[1:2] == "?"
            value = given.get(token[2:] if optional else token[1:])
            return optional if value is None else _is_none(value)
        if first == "%":
            optional = token[1:2] == "?"
            value = given.get(token[2:] if optional else token[1:])
            return optional if value is None else is_display(value)
        if first == "<":
            optional = token[1:2] == "?"
            name, _, payload = token[2 if optional else 1:].partition("=")
            value = given.get(name)
            return optional if value is None else misses_affixes(value, payload)
        if first == "*":
            value = given.get(token[1:])
            return value is not None and in_memory_stream(value)
        if first == "0":
            optional = token[1] == "?"
            value = given.get(token[2:] if optional else token[1:])
            return optional if value is None else is_zero(value)
        value = given.get(token)
        return value is not None and not _is_none(value)

    return all(any(satisfied(token) for token in tokens) for tokens in alternatives)


def in_memory_stream(value: ast.expr) -> bool:
    """``io.BytesIO(...)`` / ``StringIO(...)`` as written: a stream in memory."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else "")
    return name in ("BytesIO", "StringIO")


def flag_values(call: ast.Call, method: str) -> list[ast.expr]:
    """The arguments of a ``block``/``blocking`` flag that may make ``method`` return
    at once (``q.get(False)``, ``lock.acquire(blocking=False)``)."""
    flag = NON_BLOCKING_ARGS.get(method)
    if flag is None:
        return []
    index, keywords = flag
    return [*call.args[index:index + 1],
            *(item.value for item in call.keywords if item.arg in keywords)]


def timeout_values(call: ast.Call, ref: str, method: str) -> list[ast.expr]:
    """The timeout arguments of a wait (``q.get(True, 0)``, ``select.select(r, w, x, 0)``)."""
    timeout = TIMEOUT_ARGS_BY_NAME.get(ref, TIMEOUT_ARGS.get(method))
    return [] if timeout is None else argument_values(call, timeout, "timeout")


def argument_values(call: ast.Call, index: int, keyword: str) -> list[ast.expr]:
    """The argument at position ``index`` and/or passed as ``keyword=``."""
    return [*call.args[index:index + 1],
            *(item.value for item in call.keywords if item.arg == keyword)]


def has_star_arguments(call: ast.Call) -> bool:
    """``f(*args)`` or ``f(**kwargs)``: arguments nobody can read without running it."""
    return any(isinstance(arg, ast.Starred) for arg in call.args) or any(
        keyword.arg is None for keyword in call.keywords)


def is_literal(node: ast.expr, value: object) -> bool:
    """``node`` is the literal ``value`` (``False`` or ``0``; not ``None``)."""
    return (
        isinstance(node, ast.Constant)
        and node.value is not None
        and not isinstance(node.value, str)
        and node.value == value
    )


def true_constant(node: ast.expr) -> bool:
    """A constant that is true (not bytes)."""
    return isinstance(node, ast.Constant) and bool(node.value) and not isinstance(
        node.value, bytes)


def self_tokens(tokens: frozenset[str]) -> frozenset[str]:
    """The tokens about ``self``'s attributes (``"+self.content"``)."""
    return frozenset(token for token in tokens if ".self." in f".{token.lstrip('!?+')}")


def impossible(tokens: frozenset[str]) -> bool:
    """Tokens that no state satisfies at once: ``"!x"`` (runs only when ``x`` is true)
    with ``"+x"`` (only when it is false)."""
    truthy = {token.lstrip("!?") for token in tokens if token[:1] in "!?"}
    return any(token.lstrip("+?") in truthy for token in tokens if token[:1] == "+")


def state_facts(tokens: frozenset[str]) -> dict[str, ast.expr]:
    """What the guard tokens of a call's branches say of ``self``'s attributes: under
    ``if self.content:`` (``"!self.content"``) it is true, under the ``else`` or after
    ``if self.content: return`` (``"+self.content"``) false."""
    facts: dict[str, ast.expr] = {}
    for token in tokens:
        if token.startswith("!self."):
            facts[token[1:]] = ast.Constant(value=True)
        elif token.startswith("+self."):
            facts[token[1:]] = ast.Constant(value=False)
    return facts
