"""Extra validation rules graphqlwire applies on request."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule


class IntrospectionDisabledRule(ValidationRule):
    """Rejects ``__schema`` and ``__type`` fields, for ``introspection=False``.

    ``__typename`` stays allowed: clients (Apollo, urql) add it to every selection, and it
    reveals nothing about the schema.
    """

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        name = node.name.value
        if name in ("__schema", "__type"):
            self.report_error(
                GraphQLError(
                    f"Cannot query '{name}': introspection is disabled.",  # Ariadne's words
                    node,
                )
            )
