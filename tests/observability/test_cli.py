"""The command line's observability flags: what they configure, and their usage errors."""

from __future__ import annotations

import argparse

import pytest

from graphqlwire.__main__ import build_parser, config_from, graphql_app, main
from graphqlwire.demo import schema


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args([*argv, "graphqlwire.demo:schema"])


def test_flags_reach_the_config_and_the_app() -> None:
    args = parse("--access-log-format", "json", "--drain-delay", "2.5", "--metrics")
    config = config_from(args)
    assert (config.access_log_format, config.drain_delay) == ("json", 2.5)
    app = graphql_app(schema, args)
    assert app.instruments.metrics is not None
    assert set(app.instruments.routes) == {"/health", "/metrics"}
    quiet = graphql_app(schema, parse("--health-path", ""))
    assert quiet.instruments.metrics is None
    assert quiet.instruments.routes == {}
    moved = graphql_app(schema, parse("--health-path", "/ready"))
    assert set(moved.instruments.routes) == {"/ready"}


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: /health)" in text
    assert "(default: text)" in text
    assert "(default: 0.0)" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--access-log-format", "xml", "graphqlwire.demo:schema"], "invalid choice: 'xml'"),
        (["--metrics", "tests.observability.test_cli:asgi_app"], "--metrics only apply"),
        (["--health-path", "/x", "tests.observability.test_cli:asgi_app"], "--health-path"),
        (["--health-path", "health", "graphqlwire.demo:schema"], "must start with '/'"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


async def asgi_app(scope: object, receive: object, send: object) -> None:
    """Not a schema: the GraphQL flags do not apply to it."""
