"""Which validation rules can report anything about a given document.

A document the cache has never seen is validated in full, and graphql-core runs every
specified rule over every node. Most rules look only at one feature of the language
(fragments, variables, directives, arguments): over a document without that feature they
cannot report an error. `rules_that_can_fire` drops exactly those rules, so the errors are
the ones graphql-core's full ``validate()`` gives, in the same order, for less work.

A document holding anything but operations and fragments keeps every rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    specified_rules,
)
from graphql.validation import ASTValidationRule

FRAGMENTS = 1
VARIABLES = 2
DIRECTIVES = 4
ARGUMENTS = 8
#: Two fields with one response name in a selection set.
REPEATED_NAMES = 16
EVERY_FEATURE = 31

_NEEDS: dict[str, int] = {
    "KnownTypeNamesRule": FRAGMENTS | VARIABLES,
    "FragmentsOnCompositeTypesRule": FRAGMENTS,
    "VariablesAreInputTypesRule": VARIABLES,
    "UniqueFragmentNamesRule": FRAGMENTS,
    "KnownFragmentNamesRule": FRAGMENTS,
    "NoUnusedFragmentsRule": FRAGMENTS,
    "PossibleFragmentSpreadsRule": FRAGMENTS,
    "NoFragmentCyclesRule": FRAGMENTS,
    "UniqueVariableNamesRule": VARIABLES,
    "NoUndefinedVariablesRule": VARIABLES,
    "NoUnusedVariablesRule": VARIABLES,
    "KnownDirectivesRule": DIRECTIVES,
    "UniqueDirectivesPerLocationRule": DIRECTIVES,
    "DeferStreamDirectiveOnRootField": DIRECTIVES,
    "DeferStreamDirectiveOnValidOperationsRule": DIRECTIVES,
    "DeferStreamDirectiveLabel": DIRECTIVES,
    "StreamDirectiveOnListField": DIRECTIVES,
    "KnownArgumentNamesRule": ARGUMENTS,
    "UniqueArgumentNamesRule": ARGUMENTS,
    "ValuesOfCorrectTypeRule": ARGUMENTS | VARIABLES,
    "VariablesInAllowedPositionRule": VARIABLES,
    "OverlappingFieldsCanBeMergedRule": FRAGMENTS | REPEATED_NAMES,
    "UniqueInputFieldNamesRule": ARGUMENTS | VARIABLES,
}
#: graphql-core's own rule classes that need a feature, keyed by class: rules of the same
#: name from elsewhere are never dropped.
_FEATURES_NEEDED: dict[type[ASTValidationRule], int] = {
    rule: _NEEDS[rule.__name__] for rule in specified_rules if rule.__name__ in _NEEDS
}


def rules_that_can_fire(
    document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> tuple[type[ASTValidationRule], ...]:
    """`rules` without the specified rules that cannot report on `document`."""
    return _select(rules, features_of(document))


@lru_cache(maxsize=256)
def _select(
    rules: tuple[type[ASTValidationRule], ...], features: int
) -> tuple[type[ASTValidationRule], ...]:
    return tuple(
        rule for rule in rules if rule not in _FEATURES_NEEDED or features & _FEATURES_NEEDED[rule]
    )


def features_of(document: DocumentNode) -> int:
    """The bits of the language `document` uses. Fragments, type system definitions and
    extensions count as every feature: most rules look at them, so all of them run."""
    features = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            return EVERY_FEATURE
        if definition.variable_definitions:
            features |= VARIABLES
        if definition.directives:
            features |= DIRECTIVES | ARGUMENTS | _variables_in_directives(definition.directives)
        features |= _selection_features(definition.selection_set)
    return features


def _selection_features(selection_set: SelectionSetNode) -> int:
    features = 0
    names: set[str] = set()
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode):
            return EVERY_FEATURE
        name = (selection.alias or selection.name).value
        if name in names:
            features |= REPEATED_NAMES
        names.add(name)
        if selection.arguments:
            features |= ARGUMENTS | _variables_in(arg.value for arg in selection.arguments)
        if selection.directives:
            features |= DIRECTIVES | ARGUMENTS | _variables_in_directives(selection.directives)
        if selection.selection_set is not None:
            features |= _selection_features(selection.selection_set)
    return features


def _variables_in_directives(directives: Iterable[DirectiveNode]) -> int:
    return _variables_in(arg.value for directive in directives for arg in directive.arguments or ())


def _variables_in(values: Iterable[ValueNode]) -> int:
    for value in values:
        if isinstance(value, VariableNode):
            return VARIABLES
        if isinstance(value, ListValueNode) and _variables_in(value.values):
            return VARIABLES
        if isinstance(value, ObjectValueNode) and _variables_in(
            field.value for field in value.fields
        ):
            return VARIABLES
    return 0
