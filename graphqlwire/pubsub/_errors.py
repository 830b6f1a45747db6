"""The exceptions of graphqlwire.pubsub: each one says what failed and why, for the log."""

from __future__ import annotations

__all__ = ["PubSubError", "PublishError", "SubscribeError", "SubscriptionOverflow"]


class PubSubError(Exception):
    """Base class of the pub/sub errors (a resolver may catch this one alone)."""


class PublishError(PubSubError):
    """A message could not be published: the broker is unreachable or did not answer in time.

    Raised within the backend's timeout, never after a hang. In a mutation it becomes a
    GraphQL error of the field that published; nothing was delivered to anyone.
    """


class SubscribeError(PubSubError):
    """A subscription could not be made live: the broker did not confirm it in time."""


class SubscriptionOverflow(PubSubError):
    """The subscriber fell `limit` messages behind: its subscription was ended.

    The buffered messages are still delivered, then iterating raises this error, so a
    client that stopped reading costs a bounded amount of memory and nobody else waits.
    """
