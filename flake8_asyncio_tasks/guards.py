"""Blocking calls that run only for some arguments of their function.

``def read(path, file=None): if file is None: file = open(path)`` opens a file only when
the caller leaves ``file`` out; ``def put(item, block=True): if not block: ... else:
cond.wait()`` waits only when ``block`` is true, so ``put(item, block=False)`` (and a
``put_nowait()`` that is exactly that) never does.  The walk records each such branch
as a *guard token* over a range of the function:

- ``"file"``: the range runs only when the parameter ``file`` (default ``None``) is
  ``None``; a call that passes a value that is not ``None`` skips it;
- ``"!block"``: the range runs only when the parameter ``block`` is true; a call that
  passes a false constant (``False``, ``0``, ``None``, ``""``) skips it;
- ``"?block"``: the same, for a parameter whose default is such a constant: a call that
  leaves it out skips it too;
- ``"+force"`` / ``"+?force"``: the range runs only when the parameter ``force`` is
  false (``if not force:``, the ``else`` of ``if force or x:``); a call passing a true
  constant (or, for the second, leaving out a parameter that defaults to one) skips it;
- ``"~self.queue"``: the call is ``self.queue.get()`` of a method; a caller that calls
  the method on ``self`` where ``self.queue`` is known not to be empty (``if not
  self.queue.empty():``, after ``while self.queue.empty(): await ...``) skips it;
- ``"0timeout"`` / ``"0?timeout"``: the call waits only when the parameter ``timeout``
  is not ``0`` (``select.select(r, w, x, timeout)``); a call passing ``0`` (or, for the
  second, leaving out a parameter that defaults to ``0``) skips it;
- ``"=kind=file"`` / ``"=?kind=file"``: the range runs only when the parameter ``kind``
  is the string ``"file"`` (``if kind == "file":``, one mode of several); a call passing
  another constant skips it; for the second (a default that is another constant), so
  does leaving it out;
- ``"&timeout"`` / ``"&?timeout"``: the range runs only when ``timeout`` is not
  ``None`` (``if timeout is not None:``, the ``else`` of ``if timeout is None:``); a call
  passing ``None`` (for the second, leaving out a parameter that defaults to it) skips
  it;
- ``"%body"`` / ``"%?body"``: the range runs only when ``body`` is a path object
  (``if isinstance(body, os.PathLike):``); a call passing a constant or a display
  (``None``, ``"/x"``, ``{...}``, ``[...]``; for the second, leaving out a parameter
  whose default is one) skips it;
- ``"^colour=async"`` / ``"^?colour=async"``: the range runs only when ``colour`` is not
  ``"async"`` (the ``else`` of ``if colour == "async":``, or what follows ``if colour ==
  "async": return ...``: the sync half of code written for both); a call passing
  ``"async"`` (for the second, defaulting to it) skips it;
- ``"<name=soidc/"`` / ``"<?name=..."``: the range runs only when the string ``name``
  starts (``s``) or ends (``e``) with one of the affixes after the kind letter
  (NUL-separated: ``if name.startswith(("oidc/", "file/")):``, what follows ``if not
  name.startswith("oidc/"): return``); a call passing a string constant (or an
  f-string whose constant head decides it) with none of them skips it; for the second
  (a default that is such a constant), so does leaving it out.

- ``"*source"``: the call opens ``source``, a parameter, with an opener that reads an
  in-memory stream when given one (``zipfile.ZipFile(source)``); a call passing
  ``io.BytesIO(...)`` / ``io.StringIO(...)`` skips it.

A blocking call gets every token of the ranges around it: a call of the function skips
it when the call satisfies *one* of them.  The function as a whole is skipped when the
call skips each of its blocking calls; one unguarded blocking call and nothing is.
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.given import (
    false_constant,
    is_display,
    is_zero,
    misses_affixes,
    true_constant,
)
from flake8_asyncio_tasks.names import Scope, Value, _is_none
from flake8_asyncio_tasks.syntax import parameter_defaults


def omitted_parameter(test: ast.expr, scope: Scope) -> str | None:
    """``p is None`` on a parameter ``p=None`` of the enclosing function: the test holds
    when a caller leaves the argument out.  Returns the parameter's name."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Is) and isinstance(test.left, ast.Name)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return None
    function = scope.enclosing_function().node
    if not isinstance(function, ast.FunctionDef):
        return None
    name = test.left.id
    default = parameter_defaults(function.args).get(name)
    if isinstance(default, ast.Constant) and default.value is None:
        return name
    return None


def flag_tests(test: ast.expr, scope: Scope) -> tuple[list[str], list[str]]:
    """Guard tokens for the two branches of ``if test:``: ``(body, orelse)``.

    ``if block:`` / ``if block and x:`` run their body only when the parameter ``block``
    is true, and ``if not block:`` its ``else``; ``if not force:`` / ``if not force and
    x:`` run their body only when ``force`` is false, and ``if force:`` / ``if force or
    x:`` their ``else``; ``if p is None:`` runs its body only when ``p=None`` is left
    out."""
    conjuncts = test.values if isinstance(test, ast.BoolOp) and isinstance(
        test.op, ast.And) else [test]
    disjuncts = test.values if isinstance(test, ast.BoolOp) and isinstance(
        test.op, ast.Or) else [test]
    body = [name for part in conjuncts if isinstance(part, ast.Compare) and (
        name := omitted_parameter(part, scope)) is not None]
    function = scope.enclosing_function().node
    if not isinstance(function, ast.FunctionDef):
        return body, []
    args = function.args
    parameters = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    defaults = parameter_defaults(args)
    orelse: list[str] = []
    owner_state = "self" in parameters  # self.x tests: the object's state
    for part in conjuncts:  # the body needs every part true
        given = _none_test(part, negated=True)
        if given in parameters:  # if timeout is not None: runs only when one is given
            body.append(_given_token(given, defaults))
        name, negated = _flag_test(part, owner_state)
        path = _path_instance_test(part)
        if path is not None and path in parameters:
            # isinstance(body, PathLike): no constant, dict or list display is a path
            default = defaults.get(path)
            body.append(("%?" if default is not None and is_display(default) else "%") + path)
        if name in parameters or owner_state and name is not None and "." in name:
            body.append(_unflag(name, defaults) if negated else _flag(name, defaults))
        token = _mode_token(part, parameters, defaults, body=True)
        if token is not None:
            body.append(token)
        token = _affix_token(part, parameters, defaults, negated=False)
        if token is not None:
            body.append(token)
    for part in disjuncts:  # the else needs every part false
        given = _none_test(part, negated=False)
        if given in parameters:  # the else of if timeout is None: one is given
            orelse.append(_given_token(given, defaults))
        name, negated = _flag_test(part, owner_state)
        if name in parameters or owner_state and name is not None and "." in name:
            orelse.append(_flag(name, defaults) if negated else _unflag(name, defaults))
        token = _mode_token(part, parameters, defaults, body=False)
        if token is not None:
            orelse.append(token)
        token = _affix_token(part, parameters, defaults, negated=True)
        if token is not None:
            orelse.append(token)
    return body, orelse


#: ``name.startswith(...)`` / ``name.endswith(...)``: the token's kind letter
_AFFIX_METHODS: Final = {"startswith": "s", "endswith": "e"}


def _affix_token(part: ast.expr, parameters: set[str], defaults: dict[str, ast.expr],
                 negated: bool) -> str | None:
    """The token of ``name.startswith("oidc/")`` on a parameter (``negated``: of ``not
    name.startswith(...)``, whose ``else`` or exit it guards); see the module."""
    if negated:
        if not (isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not)):
            return None
        part = part.operand
    if not (isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute)
            and part.func.attr in _AFFIX_METHODS and isinstance(part.func.value, ast.Name)
            and len(part.args) == 1 and not part.keywords):
        return None
    name = part.func.value.id
    if name not in parameters:
        return None
    arg = part.args[0]
    values = arg.elts if isinstance(arg, ast.Tuple) else [arg]
    affixes = [v.value for v in values if isinstance(v, ast.Constant)
               and isinstance(v.value, str) and v.value and "\0" not in v.value]
    if not affixes or len(affixes) != len(values):
        return None
    payload = _AFFIX_METHODS[part.func.attr] + "\0".join(affixes)
    default = defaults.get(name)
    optional = default is not None and misses_affixes(default, payload)
    return f"<{'?' if optional else ''}{name}={payload}"


def equality(part: ast.expr) -> tuple[str, ast.Constant] | None:
    """``kind == "file"`` (or ``"file" == kind``) -> ``("kind", <"file">)``;
    ``self._colour == "async"`` -> ``("self._colour", <"async">)``."""
    if not isinstance(part, ast.Compare) or len(part.ops) != 1 or not isinstance(
            part.ops[0], ast.Eq):
        return None
    left, right = part.left, part.comparators[0]
    if isinstance(right, (ast.Name, ast.Attribute)):
        left, right = right, left
    if not isinstance(right, ast.Constant):
        return None
    if isinstance(left, ast.Name):
        return left.id, right
    if isinstance(left, ast.Attribute) and isinstance(left.value, ast.Name) and (
            left.value.id == "self"):
        return f"self.{left.attr}", right
    return None


def _mode_token(part: ast.expr, parameters: set[str], defaults: dict[str, ast.expr],
                body: bool) -> str | None:
    """The token of ``kind == "file"`` on a parameter (or ``self.x``) for the body
    (``"=kind=file"``) or for the ``else`` (``"^kind=file"``); see the module."""
    found = equality(part)
    if found is None or not isinstance(found[1].value, str):
        return None
    name, mode = found[0], found[1].value
    if name not in parameters and not (name.startswith("self.") and "self" in parameters):
        return None
    default = defaults.get(name)
    given = default.value if isinstance(default, ast.Constant) else _NO_DEFAULT
    if body:  # a default that is another mode: leaving the argument out skips the body
        return f"={'?' if given is not _NO_DEFAULT and given != mode else ''}{name}={mode}"
    return f"^{'?' if given == mode else ''}{name}={mode}"


#: no constant default (``None`` is a constant default)
_NO_DEFAULT: Final = object()


def _flag_test(part: ast.expr, owner_state: bool = False) -> tuple[str | None, bool]:
    """``p`` -> ``("p", False)``; ``not p`` -> ``("p", True)``; else ``(None, False)``.
    With ``owner_state`` (a method), ``self.content`` -> ``("self.content", False)``."""
    negated = isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not)
    tested = part.operand if isinstance(part, ast.UnaryOp) and negated else part
    if isinstance(tested, ast.Name):
        return tested.id, negated
    if owner_state and isinstance(tested, ast.Attribute) and isinstance(
            tested.value, ast.Name) and tested.value.id == "self":
        return f"self.{tested.attr}", negated
    return None, False


#: path classes no constant is an instance of (``str`` is left out: ``""`` is a str)
_PATH_CLASSES: Final = frozenset({"Path", "PathLike", "PosixPath", "PurePath",
                                  "PurePosixPath", "PureWindowsPath", "WindowsPath"})


def _path_instance_test(part: ast.expr) -> str | None:
    """``isinstance(p, PathLike)`` / ``isinstance(p, (Path, os.PathLike))`` -> ``"p"``:
    true only for a path object, which no false constant is."""
    if not (isinstance(part, ast.Call) and isinstance(part.func, ast.Name)
            and part.func.id == "isinstance" and len(part.args) == 2
            and not part.keywords and isinstance(part.args[0], ast.Name)):
        return None
    classes = part.args[1].elts if isinstance(part.args[1], ast.Tuple) else [part.args[1]]
    if not classes or not all(
            isinstance(cls, (ast.Name, ast.Attribute))
            and (cls.id if isinstance(cls, ast.Name) else cls.attr) in _PATH_CLASSES
            for cls in classes):
        return None
    return part.args[0].id


def _none_test(part: ast.expr, negated: bool) -> str | None:
    """``p is not None`` (``negated``) or ``p is None``: the name ``p``."""
    if not (isinstance(part, ast.Compare) and len(part.ops) == 1
            and isinstance(part.ops[0], ast.IsNot if negated else ast.Is)
            and isinstance(part.left, ast.Name) and _is_none(part.comparators[0])):
        return None
    return part.left.id


def _given_token(name: str, defaults: dict[str, ast.expr]) -> str:
    """The range runs only when ``name`` is not ``None``: ``None`` (or, with a default
    of ``None``, leaving it out) skips it."""
    default = defaults.get(name)
    return ("&?" if default is not None and _is_none(default) else "&") + name


def token_parameter(token: str) -> tuple[str, str]:
    """``(prefix, parameter)`` of a parameter's token (``"!?"``, ``"=kind=file"`` ->
    ``("=", "kind")``...); the prefix is ``"~"`` for a queue token (no parameter)."""
    if token[:1] in "=^<":
        optional = token[1:2] == "?"
        start = 2 if optional else 1
        return token[:start], token[start:].partition("=")[0]
    name = token.lstrip("!?+0~%&*")
    return token[:len(token) - len(name)], name


def renamed_parameter_token(token: str, name: str, default: ast.expr | None) -> str:
    """``token`` (a helper's, see :func:`token_parameter`) for the caller's parameter
    ``name`` that the caller passes on; its default decides the ``?`` forms."""
    prefix, _ = token_parameter(token)
    if prefix[:1] not in ("=", "^", "<"):
        return renamed_token(prefix, name, default)
    kind = prefix[0]
    payload = token[len(prefix):].partition("=")[2]
    if kind == "<":
        optional = default is not None and misses_affixes(default, payload)
    else:
        given = default.value if isinstance(default, ast.Constant) else _NO_DEFAULT
        optional = (given is not _NO_DEFAULT and given != payload) if kind == "=" else (
            given == payload)
    return f"{kind}{'?' if optional else ''}{name}={payload}"


def renamed_token(prefix: str, name: str, default: ast.expr | None) -> str:
    """A token of a helper's form ``prefix`` (``"!"``, ``"?"``, ``"+?"``, ``"0"``...) for
    the caller's parameter ``name`` that the caller passes on: the caller's own default
    decides whether leaving it out skips the range too (the ``?`` forms)."""
    base = "!" if prefix == "?" else prefix.replace("?", "")
    optional = default is not None and {
        "!": false_constant, "+": true_constant, "0": is_zero, "%": is_display,
        "&": _is_none}.get(base, lambda _: False)(default)
    if not optional:
        return base + name
    return ("?" if base == "!" else base + "?") + name


def _flag(name: str, defaults: dict[str, ast.expr]) -> str:
    """The range runs only when ``name`` is true: a false constant skips it."""
    default = defaults.get(name)
    return ("?" if default is not None and false_constant(default) else "!") + name


def _unflag(name: str, defaults: dict[str, ast.expr]) -> str:
    """The range runs only when ``name`` is false: a true constant skips it."""
    default = defaults.get(name)
    return ("+?" if default is not None and true_constant(default) else "+") + name


def fallback_token(value: ast.expr, scope: Scope) -> str:
    """``p or make()``, ``p`` a parameter defaulting to ``None``: ``make()`` runs when the
    caller leaves ``p`` out (or passes ``None``), as under ``if p is None:`` (the token
    ``"p"``); ``""`` for anything else."""
    if not isinstance(value, ast.Name):
        return ""
    function = scope.enclosing_function()
    node = function.node
    if not isinstance(node, ast.FunctionDef):
        return ""
    default = parameter_defaults(node.args).get(value.id)
    if default is None or not _is_none(default) or value.id in function.global_names:
        return ""
    # p = p or make(): the only rebinding allowed is the fallback itself
    others = [binding for binding in function.bindings.get(value.id, ()) if not (
        isinstance(binding, Value) and isinstance(binding.expr, ast.BoolOp)
        and isinstance(binding.expr.op, ast.Or) and isinstance(binding.expr.values[0], ast.Name)
        and binding.expr.values[0].id == value.id)]
    return value.id if len(others) == 1 else ""


def memory_token(value: ast.expr, scope: Scope) -> str:
    """``ZipFile(source)``: the token for the file argument of an opener that also
    reads an in-memory stream, when it is a parameter of the function (a caller passing
    ``io.BytesIO(...)`` skips it); ``""`` for any other argument."""
    found = _plain_parameter(value, scope)
    return "" if found is None else "*" + found[0]


def _plain_parameter(value: ast.expr, scope: Scope) -> tuple[str, ast.expr | None] | None:
    """``value`` reads a parameter of the enclosing function that nothing rebinds:
    ``(name, its default)``."""
    if not isinstance(value, ast.Name):
        return None
    function = scope.enclosing_function()
    node = function.node
    if not isinstance(node, ast.FunctionDef):
        return None
    args = node.args
    if value.id not in {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}:
        return None
    if len(function.bindings.get(value.id, ())) != 1:
        return None
    return value.id, parameter_defaults(args).get(value.id)


def flag_token(value: ast.expr, scope: Scope) -> str:
    """``q.get(block)``: the token for a blocking flag argument that is a parameter of
    the function; ``""`` for any other argument."""
    found = _plain_parameter(value, scope)
    if found is None:
        return ""
    name, default = found
    return _flag(name, {} if default is None else {name: default})


def zero_token(value: ast.expr, scope: Scope) -> str:
    """``select.select(r, w, x, timeout)``: the token for a timeout argument that is a
    parameter of the function; ``""`` for any other argument."""
    found = _plain_parameter(value, scope)
    if found is None:
        return ""
    name, default = found
    return ("0?" if default is not None and is_zero(default) else "0") + name


def add_tokens(known: list[frozenset[str]] | None, tokens: frozenset[str]
               ) -> list[frozenset[str]] | None:
    """``known`` (the tokens of a function's blocking calls so far) with one more
    blocking call, skipped by any of ``tokens``; ``None`` once one call has none (it
    always runs, so no call skips the function)."""
    if known is None or not tokens:
        return None
    known.append(tokens)
    return known


def add_guard(guards: dict[int, list[frozenset[str]] | None], key: int,
              tokens: frozenset[str]) -> None:
    """:func:`add_tokens` for function ``key`` of ``guards``."""
    guards[key] = add_tokens(guards.get(key, []), tokens)


