"""Hosts that no lookup sends to a resolver: IP literals, the wildcard, names an
enclosing ``if`` tests against a literal, and the text of :mod:`ipaddress` objects
(``str(IPv4Address(...))``, also one unpacked from a helper of the module whose every
``return`` builds one).  AIO104 and the AIO109 roots ask :func:`local_host`.
"""

from __future__ import annotations

import ast
import ipaddress
from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks.names import Scope, Value
from flake8_asyncio_tasks.refs import FunctionRef
from flake8_asyncio_tasks.syntax import enclosing_ifs
from flake8_asyncio_tasks.tables import LOCAL_HOSTS

if TYPE_CHECKING:
    from flake8_asyncio_tasks.resolver import Resolver
    from flake8_asyncio_tasks.walk import CallSite

#: what makes an ``ipaddress`` object
_IP_MAKERS: Final = frozenset({
    "ipaddress.IPv4Address", "ipaddress.IPv6Address", "ipaddress.ip_address",
})
#: an ``ipaddress`` object, as the resolver names it
_IP_OBJECTS: Final = frozenset({"ipaddress.IPv4Address()", "ipaddress.IPv6Address()"})
_MAX_DEPTH: Final = 8


def local_host(value: ast.expr, site: CallSite, resolver: Resolver) -> bool:
    """A host no lookup sends to a resolver: an IP literal, ``None`` (getaddrinfo's
    wildcard), a name the enclosing ``if host == "127.0.0.1":`` tests (also ``host in
    ("127.0.0.1", "::1")``), or the text of an ``ipaddress`` object (see
    :func:`ip_text`)."""
    if isinstance(value, ast.Constant):
        return value.value is None or isinstance(value.value, str) and is_literal_host(
            value.value)
    if ip_text(value, site.scope, resolver):
        return True  # str(IPv4Address(...)): the text of an address, never a name
    if not isinstance(value, ast.Name):
        return False
    function = site.scope.enclosing_function().node
    return any(tests_literal_host(statement.test, value.id)
               for statement in enclosing_ifs(function, site.node))


def is_literal_host(host: str) -> bool:
    """An IPv4/IPv6 literal (or the empty wildcard): parsed, never looked up."""
    if host.lower() in LOCAL_HOSTS:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def tests_literal_host(test: ast.expr, name: str) -> bool:
    """``name == "127.0.0.1"`` or ``name in ("127.0.0.1", "::1")``."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(
            test.left, ast.Name) or test.left.id != name:
        return False
    right = test.comparators[0]
    if isinstance(test.ops[0], ast.Eq):
        return isinstance(right, ast.Constant) and isinstance(right.value, str) and is_literal_host(
            right.value)
    if isinstance(test.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        return bool(right.elts) and all(
            isinstance(item, ast.Constant) and isinstance(item.value, str) and is_literal_host(
                item.value) for item in right.elts)
    return False


def ip_text(value: ast.expr, scope: Scope, resolver: Resolver) -> bool:
    """``str(ip)``, ``f"{ip}"``, ``ip.compressed`` / ``ip.exploded`` of an ``ipaddress``
    object ``ip``: the text of an address."""
    if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords and (
            resolver.resolve(value.func, scope) == "str"):
        return ip_object(value.args[0], scope, resolver, 0)
    if isinstance(value, ast.JoinedStr) and len(value.values) == 1 and isinstance(
            value.values[0], ast.FormattedValue) and value.values[0].format_spec is None:
        return ip_object(value.values[0].value, scope, resolver, 0)
    if isinstance(value, ast.Attribute) and value.attr in ("compressed", "exploded"):
        return ip_object(value.value, scope, resolver, 0)
    return False


def ip_object(value: ast.expr, scope: Scope, resolver: Resolver, depth: int) -> bool:
    """``value`` is an ``ipaddress.IPv4Address``/``IPv6Address``: made by one of their
    constructors (or ``ip_address()``), typed as one, or unpacked from a sync function
    of this module whose every ``return`` is a tuple with such an object at that place
    (``ip, port = ip_port(target)``)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, ast.Call) and resolver.resolve(value.func, scope) in _IP_MAKERS:
        return True
    if resolver.resolve(value, scope) in _IP_OBJECTS:
        return True
    if not isinstance(value, ast.Name):
        return False
    bindings = resolver.owner(value.id, scope).bindings.get(value.id, ())
    if len(bindings) != 1 or not isinstance(bindings[0], Value):
        return False
    binding = bindings[0]
    if binding.item is None:
        return ip_object(binding.expr, binding.scope, resolver, depth + 1)
    if not binding.item.isdigit() or not isinstance(binding.expr, ast.Call):
        return False
    func = resolver.resolve(binding.expr.func, binding.scope)
    if not isinstance(func, FunctionRef) or func.is_async or func.node.decorator_list:
        return False
    values = func.scope.return_values
    index = int(binding.item)
    return bool(values) and all(
        isinstance(returned, ast.Tuple) and len(returned.elts) > index
        and ip_object(returned.elts[index], func.scope, resolver, depth + 1)
        for returned in values or ())
