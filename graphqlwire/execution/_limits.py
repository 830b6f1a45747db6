"""Operation limits: how large, deep, aliased and costly a document may be before it runs.

A single request must not be able to stall the server. The checks run on the parsed
document before validation (validation itself is slow on a hostile document), and count
through fragment spreads and inline fragments, so a fragment is no way around them (the
walk is `_measure`'s: a "fragment bomb" is refused for the size it would expand to).

The token limit is enforced while parsing (graphql-core's ``max_tokens``), so a huge
document is refused without being parsed whole.

Cost follows the IBM cost directives when the schema declares them:

- ``@cost(weight: "2.5")`` on a field definition, or on the type it returns, replaces the
  default weight: 1 for a field of an object, interface or union type, 0 for a scalar or
  enum field;
- ``@listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!])`` on a
  list field: the size is the largest slicing argument the request gives (a literal, or a
  variable of this request), else ``assumedSize``, else ``DEFAULT_LIST_SIZE``. With
  ``sizedFields`` (a connection's ``edges``, say), those children are the lists of that size.

A field costs its weight plus the cost of its selection, times its number of items for a
list (``DEFAULT_LIST_SIZE`` without ``@listSize``). An operation's cost is the sum of its
fields' costs. The verdict of the document's static checks is cached with
the document; only the cost of a document whose list sizes come from variables is computed
again per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    validate,
)

from ._failure import RequestFailure
from ._measure import DEFAULT_LIST_SIZE, Size, measure
from ._rule_selection import rules_that_can_fire
from ._visitor_lookup import with_class_lookup

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_LIST_SIZE",
    "NO_LIMITS",
    "Checked",
    "LimitVerdict",
    "OperationLimits",
    "check_document",
    "check_limits",
    "cost_for_request",
    "parse_document",
]

LIMIT_CODE = "OPERATION_LIMIT_EXCEEDED"
LIMIT_NAMES = ("max_tokens", "max_depth", "max_aliases", "max_cost", "max_directives")


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """The most a document may ask for; 0 turns a limit off.

    `max_tokens`: lexical tokens in the document (punctuators, names, values).

    `max_depth`: fields from the root to the deepest leaf (``{ hello }`` is 1).

    `max_aliases`: aliased fields in one operation.

    `max_cost`: the operation's cost (see the module docstring).

    `max_directives`: directives on one field or fragment.

    The defaults are generous: no ordinary client comes near them (graphql-core's full
    introspection query has 163 tokens, depth 15 and costs about 16,000), while each keeps
    one request from occupying the server.
    """

    max_tokens: int = 15_000
    max_depth: int = 20
    max_aliases: int = 100
    max_cost: int = 50_000
    max_directives: int = 20
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = tuple(getattr(self, name) for name in LIMIT_NAMES)
        for name, value in zip(LIMIT_NAMES, fields, strict=True):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number, 0 or more (0: no limit)")
        # Hashed once: the limits are part of the document cache's key of every request.
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash


DEFAULT_LIMITS = OperationLimits()
NO_LIMITS = OperationLimits(0, 0, 0, 0, 0)


class LimitVerdict(NamedTuple):
    """What the static checks found: the errors, and whether cost depends on variables."""

    errors: list[GraphQLError]
    cost_uses_variables: bool


def limit_error(message: str, limit: str) -> GraphQLError:
    """The error of a refused document: its message names the limit and its value."""
    return GraphQLError(message, extensions={"code": LIMIT_CODE, "limit": limit})


def tokens_error(max_tokens: int) -> GraphQLError:
    """The error of a document over the token limit."""
    return limit_error(
        f"The document has more than {max_tokens} tokens, the limit (max_tokens).", "max_tokens"
    )


class Checked(NamedTuple):
    """A parsed document's verdict before execution, as the document cache keeps it.

    `stage` is ``"limit"`` or ``"validation"`` when `errors` refuse it; `cost_uses_variables`
    says that the request's variables decide its cost (see `cost_for_request`).
    """

    document: DocumentNode
    stage: Literal["limit", "validation"]
    errors: list[GraphQLError]
    cost_uses_variables: bool


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    """Parse `query`, refusing it once it has more than `max_tokens` tokens (0: no limit).

    Raises ``GraphQLError`` on a syntax error and ``RequestFailure("limit", ...)`` past the
    limit: graphql-core's parser stops counting there, without reading the rest.
    """
    if not max_tokens:
        return parse(query)
    try:
        return parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        if f"more than {max_tokens} tokens" in error.message:
            raise RequestFailure("limit", [tokens_error(max_tokens)]) from None
        raise


def check_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    limits: OperationLimits,
    validator: Callable[..., list[GraphQLError]] | None = None,
) -> Checked:
    """The limits first (validating a hostile document is slow), then validation (with
    graphql-core's `validate` unless `validator` replaces it)."""
    verdict = check_limits(schema, document, limits)
    if verdict.errors:
        return Checked(document, "limit", verdict.errors, False)
    if validator is None:
        errors = validate(
            schema, document, rules=with_class_lookup(rules_that_can_fire(document, rules))
        )
    else:
        errors = validator(schema, document, rules=rules)
    return Checked(document, "validation", errors, verdict.cost_uses_variables)


def check_limits(
    schema: GraphQLSchema, document: DocumentNode, limits: OperationLimits
) -> LimitVerdict:
    """Measure every operation of `document` against `limits` (the cacheable verdict).

    A document is refused when any of its operations is over a limit. The cost of an
    operation whose list sizes come from variables is measured here with the variables'
    defaults; `cost_for_request` measures it again with the request's values.
    """
    errors: list[GraphQLError] = []
    uses_variables = False
    for operation in _operations(document):
        size, used_variables = measure(schema, document, operation, None)
        uses_variables = uses_variables or used_variables
        errors.extend(_over_limits(size, limits, operation, cost=not used_variables))
        if errors:
            break
    return LimitVerdict(errors, uses_variables)


def cost_for_request(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: OperationLimits,
) -> list[GraphQLError]:
    """The cost error of the operation this request selects, with its variables, if any."""
    if not limits.max_cost:
        return []
    for operation in _operations(document):
        if operation_name is None or (operation.name and operation.name.value == operation_name):
            size, _ = measure(schema, document, operation, variables or {})
            return _over_limits(size, OperationLimits(0, 0, 0, limits.max_cost, 0), operation)
    return []


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]


def _over_limits(
    size: Size, limits: OperationLimits, operation: OperationDefinitionNode, *, cost: bool = True
) -> list[GraphQLError]:
    what = f"The operation {operation.name.value!r}" if operation.name else "The operation"
    if limits.max_depth and size.depth > limits.max_depth:
        message = f"{what} is {size.depth} fields deep, over the limit of {limits.max_depth}"
        return [limit_error(f"{message} (max_depth).", "max_depth")]
    if limits.max_aliases and size.aliases > limits.max_aliases:
        message = f"{what} has {size.aliases} aliases, over the limit of {limits.max_aliases}"
        return [limit_error(f"{message} (max_aliases).", "max_aliases")]
    if limits.max_directives and size.directives > limits.max_directives:
        message = (
            f"{what} has {size.directives} directives on one field, over the limit of "
            f"{limits.max_directives}"
        )
        return [limit_error(f"{message} (max_directives).", "max_directives")]
    if cost and limits.max_cost and size.cost > limits.max_cost:
        message = f"{what} costs {size.cost:.15g}, over the limit of {limits.max_cost}"
        return [limit_error(f"{message} (max_cost).", "max_cost")]
    return []
