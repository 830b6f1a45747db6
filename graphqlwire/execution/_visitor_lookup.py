"""Validation rules whose visitor methods are looked up once per class, not per validation.

graphql-core's ``validate()`` makes a new instance of every rule for every document, and a
visitor finds its methods for each node kind it meets with four ``getattr`` calls on the
instance, most of which fail (a rule handles a few kinds). For a document the cache has
never seen that search is a large share of validation. ``with_class_lookup`` gives each
rule a subclass that remembers, per node kind, which method names its class has, so an
instance only binds the methods that exist. The rule's own code, and so every error it
reports, is unchanged. Only graphql-core's specified rules are replaced: a rule of the
application's own keeps its class (it might, say, set visitor methods per instance).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, Visitor, specified_rules
from graphql.language.visitor import EnterLeaveVisitor

_SPECIFIED = frozenset(specified_rules)
#: The subclass made for each specified rule class, once it is first used.
_SUBCLASSES: dict[type[ASTValidationRule], type[ASTValidationRule]] = {}


@lru_cache(maxsize=256)
def with_class_lookup(
    rules: tuple[type[ASTValidationRule], ...],
) -> tuple[type[ASTValidationRule], ...]:
    """``rules``, each specified rule replaced by its subclass of the module docstring
    (kept per rule set: documents using the same features get the same rules)."""
    return tuple(_subclass_of(rule) if rule in _SPECIFIED else rule for rule in rules)


def _subclass_of(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    subclass = _SUBCLASSES.get(rule)
    if subclass is None:
        subclass = _SUBCLASSES[rule] = _subclass(rule)
    return subclass


def _subclass(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    names: dict[str, tuple[str | None, str | None]] = {}

    def get_enter_leave_for_kind(self: Any, kind: str) -> EnterLeaveVisitor:
        """``Visitor.get_enter_leave_for_kind``, the method names known by the class."""
        cached: EnterLeaveVisitor | None = self.enter_leave_map.get(kind)
        if cached is not None:
            return cached
        found = names.get(kind)
        if found is None:
            found = names[kind] = (
                _method_name(rule, f"enter_{kind}", "enter"),
                _method_name(rule, f"leave_{kind}", "leave"),
            )
        enter, leave = found
        cached = self.enter_leave_map[kind] = EnterLeaveVisitor(
            getattr(self, enter) if enter else None, getattr(self, leave) if leave else None
        )
        return cached

    return type(rule.__name__, (rule,), {"get_enter_leave_for_kind": get_enter_leave_for_kind})


def _method_name(rule: type[Visitor], specific: str, generic: str) -> str | None:
    """The name ``Visitor.get_enter_leave_for_kind`` would bind: the kind's method, else
    the generic one, else None (a falsy attribute counts as missing, as it does there)."""
    for name in (specific, generic):
        if getattr(rule, name, None):
            return name
    return None
