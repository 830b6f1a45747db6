from __future__ import annotations

import json

import pytest

from graphqlwire.http import HttpBadRequestError
from graphqlwire.http._batching import batch_response, check_batch


@pytest.mark.parametrize(
    ("data", "limit", "message"),
    [
        ([{"query": "{ a }"}], 0, "are off on this server"),
        ([], 10, "The batch is empty"),
        ([{}] * 3, 2, "The batch has 3 operations; at most 2 are accepted"),
    ],
)
def test_refused_batches_say_why(data: list[object], limit: int, message: str) -> None:
    with pytest.raises(HttpBadRequestError, match=message):
        check_batch(data, limit)


def test_a_batch_within_the_limit_is_returned_as_is() -> None:
    data = [{"query": "{ a }"}, {"query": "{ b }"}]
    assert check_batch(data, 2) is data


def test_batch_response_keeps_order_and_is_200_when_any_operation_has_data() -> None:
    response = batch_response(
        [(True, {"data": {"a": 1}}), (False, {"errors": [{"message": "x"}]})], "application/json"
    )
    assert response.status_code == 200
    assert json.loads(response.body) == [{"data": {"a": 1}}, {"errors": [{"message": "x"}]}]


def test_batch_response_is_400_when_no_operation_has_data() -> None:
    response = batch_response([(False, {"errors": [{"message": "x"}]})], "application/json")
    assert response.status_code == 400
