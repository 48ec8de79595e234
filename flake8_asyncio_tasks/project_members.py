"""What an attribute of a project class is, read from the summaries: its methods,
properties and attributes, then the bases in order (the project's, one library base),
and the elements of its container attributes.  :class:`~flake8_asyncio_tasks.project.Project`
memoizes :func:`class_member` per class and attribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks.members import TRANSPARENT_BASES, library_member
from flake8_asyncio_tasks.refs import ProjectClass, ProjectFunction, Ref

if TYPE_CHECKING:
    from flake8_asyncio_tasks.project import Project

_MAX_DEPTH: Final = 24


def class_member(project: Project, cls: ProjectClass, attr: str, depth: int
                 ) -> tuple[bool, Ref | None]:
    summary = cls.summary
    method = summary.methods.get(attr)
    if method is not None:
        return True, ProjectFunction(cls.module, cls.path, method)
    if cls.instance and attr in summary.properties:
        value = summary.properties[attr]
        return True, None if value is None else project.follow(value, depth + 1)
    values = summary.attributes if cls.instance else summary.class_attributes
    if attr in values:
        value = values[attr]
        return True, None if value is None else project.follow(value, depth + 1)
    if attr in summary.properties or attr in summary.attributes:
        return True, None  # an instance attribute read on the class
    return inherited(project, cls, attr, depth + 1)


def element_member(project: Project, cls: ProjectClass, attr: str, values: bool, depth: int
                   ) -> Ref | None:
    """An element of the container attribute ``attr`` of ``cls``'s instances
    (iterated, or ``values`` for ``x[key]``/``.values()``), when it is declared as a
    container of one type in the class or in the one project base that has it."""
    summary = cls.summary
    if depth > _MAX_DEPTH or attr in summary.methods or attr in summary.properties:
        return None
    if attr in summary.elements:
        value = summary.elements[attr][1 if values else 0]
        return None if value is None else project.follow(value, depth + 1)
    if attr in summary.attributes:
        return None
    found: Ref | None = None
    for base in summary.bases:
        ref = None if base is None else project.follow(base, depth + 1)
        if not isinstance(ref, ProjectClass) or ref.summary is summary:
            return None  # a base nothing explains, or a library's: unknown
        element = element_member(project, ref.as_instance(), attr, values, depth + 1)
        if element is not None:
            if found is not None:
                return None
            found = element
    return found


def inherited(project: Project, cls: ProjectClass, attr: str, depth: int
              ) -> tuple[bool, Ref | None]:
    """``attr`` from the bases, in order; two bases that define it: unknown."""
    library: list[str] = []
    decided: tuple[bool, Ref | None] | None = None
    for base in cls.summary.bases:
        if base is None:
            return True, None  # a base nothing explains may define anything
        ref = project.follow(base, depth + 1)
        if isinstance(ref, ProjectClass) and not ref.instance:
            if ref.summary is cls.summary:
                return True, None
            found = project.member(ref.as_instance(cls.instance), attr, depth + 1)
            if found[0]:
                if decided is not None or library:
                    return True, None  # several candidates: never guess
                decided = found
        elif isinstance(ref, str):
            if ref not in TRANSPARENT_BASES:
                library.append(ref)
        else:
            return True, None
    if decided is not None:
        return decided
    if not library:
        return False, None
    if len(library) > 1:
        return True, None
    return True, library_member(library[0], attr, cls.instance)
