"""File objects and descriptors as the blocking check sees them: whether a
file-object call reads a stream its function was handed (a parameter, or what the
constructor was given), was opened right there (the ``open()`` is the finding), or
wraps a pipe's or socket's descriptor.
"""

from __future__ import annotations

import ast

from flake8_asyncio_tasks.futures import elements
from flake8_asyncio_tasks.names import Annotated, AnnotatedValue, Scope, Value
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectFunction
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.syntax import dotted_source, owner
from flake8_asyncio_tasks.tables import BLOCKING_CALLS, FILE_OBJECTS
from flake8_asyncio_tasks.walk import CallSite


def stream_parameter(resolver: Resolver, site: CallSite) -> bool:
    """``stream.write(...)`` on a parameter ``stream: IO`` of the calling function:
    the annotation says "a stream", not whether it is a disk file, the console or a
    buffer."""
    func = site.node.func
    if not isinstance(func, ast.Attribute) or not isinstance(
            func.value, (ast.Name, ast.Attribute)):
        return False
    callee = resolver.callee(site)
    if not isinstance(callee, str) or callee.rpartition(".")[0] not in FILE_OBJECTS:
        return False
    if isinstance(func.value, ast.Name):
        return annotated_parameter(resolver, func.value.id, site.scope)
    # self.fo.read() where every self.fo = fo comes from such a parameter (a reader
    # class wrapping the stream its constructor was given)
    attribute = func.value
    if not isinstance(attribute.value, ast.Name):
        return False
    cls = resolver.resolve(attribute.value, site.scope)
    if not isinstance(cls, ClassRef) or not cls.instance:
        return False
    values = [value.value if isinstance(value, AnnotatedValue) else value
              for value in cls.scope.attr_bindings.get(attribute.attr, ())]
    return bool(values) and all(
        isinstance(value, Value) and value.item is None and isinstance(
            value.expr, ast.Name) and annotated_parameter(resolver, value.expr.id, value.scope)
        for value in values) and all(
        isinstance(b, Annotated) for b in cls.scope.bindings.get(attribute.attr, ()))

def annotated_parameter(resolver: Resolver, name: str, scope: Scope) -> bool:
    bindings = resolver.owner(name, scope).bindings.get(name, ())
    return bool(bindings) and all(isinstance(b, Annotated) for b in bindings)

def opened_here(resolver: Resolver, site: CallSite) -> bool:
    """The file object's name is bound in the frame of this call (by ``open()``,
    ``with open(...) as f``...), where the opening call is reported already."""
    bound = resolver.bound_method(site.node.func, site.scope)
    if bound is None:
        return False
    receiver = bound[0].value
    if isinstance(receiver, ast.Call):
        # open(p).read(): one line, one finding (the open, or the helper that opens)
        return opens(resolver, receiver, bound[1])
    if not isinstance(receiver, ast.Name):
        return False
    home = resolver.owner(receiver.id, bound[1])
    if home is not owner(site.scope):
        return False  # opened in another function, a class or the module
    # assigned here from a call that is itself reported (f = open(...), with
    # open(...) as f), not a parameter or a wrapper made some other way
    for binding in home.bindings.get(receiver.id, ()):
        value = binding.value if isinstance(binding, AnnotatedValue) else binding
        if not isinstance(value, Value):
            continue
        if value.item == "*":
            # for f in [open(p) for p in paths]: each open() is reported already
            if any(opens(resolver, expr, where) for expr, where in elements(
                    value.expr, value.scope, home)):
                return True
        elif opens(resolver, value.expr, value.scope):
            return True
    return False

def descriptor(resolver: Resolver, fd: ast.expr, scope: Scope, depth: int = 0) -> str | None:
    """What the descriptor ``fd`` is, when its origin is in sight: ``"file"`` for
    ``os.open(path, flags)`` (``"non-blocking"`` with ``O_NONBLOCK`` in the flags)
    or ``f.fileno()`` of a file object, ``"pipe-read"``/``"pipe-write"`` for the
    ends of an ``os.pipe()`` (``r, w = os.pipe()``, ``pipe[1]``); each written in
    place or bound once to a name.  ``None``: unknown."""
    if isinstance(fd, ast.Subscript) and isinstance(fd.slice, ast.Constant) and (
            fd.slice.value in (0, 1)) and isinstance(fd.value, ast.Name):
        item: str | None = str(fd.slice.value)
        fd = fd.value
    else:
        item = None
    if isinstance(fd, ast.Name) and depth < 2:
        bindings = resolver.owner(fd.id, scope).bindings.get(fd.id, ())
        if len(bindings) != 1 or not isinstance(bindings[0], Value):
            return None
        binding = bindings[0]
        if binding.item is not None and item is not None:
            return None
        item = item if binding.item is None else binding.item
        if item is None:
            return descriptor(resolver, binding.expr, binding.scope, depth + 1)
        fd, scope = binding.expr, binding.scope
    if not isinstance(fd, ast.Call):
        return None
    made = resolver.resolve(fd.func, scope)
    if made == "os.pipe":
        return {"0": "pipe-read", "1": "pipe-write"}.get(item or "")
    if item is not None:
        return None
    if made == "os.open":
        flags = [*fd.args[1:2], *(k.value for k in fd.keywords if k.arg == "flags")]
        return "non-blocking" if any(
            isinstance(part, (ast.Name, ast.Attribute)) and (
                dotted_source(part) or "").rpartition(".")[2] == "O_NONBLOCK"
            for flag in flags for part in ast.walk(flag)) else "file"
    func = fd.func
    if isinstance(func, ast.Attribute) and func.attr == "fileno" and not fd.args:
        owner_type = resolver.resolve(func.value, scope)
        if isinstance(owner_type, str) and owner_type in FILE_OBJECTS:
            return "file"
    return None

def wraps_descriptor(resolver: Resolver, arg: ast.expr, scope: Scope) -> bool:
    """``open(fd)`` of a descriptor: an int constant, ``x.fileno()``, or the end of
    an ``os.pipe()``; it wraps what is open already, like ``os.fdopen``."""
    if isinstance(arg, ast.Constant):
        return type(arg.value) is int
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and (
            arg.func.attr == "fileno") and not arg.args:
        return True
    return descriptor(resolver, arg, scope) in ("pipe-read", "pipe-write")

def opens(resolver: Resolver, expr: ast.expr, scope: Scope) -> bool:
    """``expr`` is a call reported where it stands: a blocking call of the tables, or a
    sync helper of the project that returns the file it opened (``log =
    open_log(path)``: the AIO109 finding)."""
    if not isinstance(expr, ast.Call):
        return False
    callee = resolver.resolve(expr.func, scope)
    if isinstance(callee, FunctionRef) and not callee.is_async or isinstance(
            callee, ProjectFunction) and not callee.summary.coroutine:
        return resolver.resolve(expr, scope) in FILE_OBJECTS
    return callee in BLOCKING_CALLS
