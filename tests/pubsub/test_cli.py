"""``graphqlwire --pubsub URL``: checked before anything starts (the real use is in
test_cross_worker.py, where the workers get the backend from it)."""

from __future__ import annotations

import pytest

from graphqlwire.__main__ import main


def test_an_unknown_pubsub_url_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRAPHQLWIRE_PUBSUB", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["--pubsub", "kafka://broker:9092", "graphqlwire.demo:schema"])
    assert exited.value.code == 2
    assert "unknown pub/sub URL 'kafka://broker:9092': use memory://" in capsys.readouterr().err


def test_the_flag_is_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--pubsub URL" in capsys.readouterr().out
