"""Lazy package exports (PEP 562): names import their module on first use, failures show."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def test_a_failing_import_is_reported_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "lazy_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from graphqlwire._lazy import lazy_exports\n"
        "__getattr__ = lazy_exports(__name__, {'good': '.good', 'broken': '.broken'})\n"
    )
    (package / "good.py").write_text("good = 'imported'\n")
    (package / "broken.py").write_text("import os\nos.no_such_thing\nbroken = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [name for name in sys.modules if name.startswith("lazy_pkg")]:
        monkeypatch.delitem(sys.modules, name)

    from lazy_pkg import good  # type: ignore[import-not-found]

    assert good == "imported"
    assert sys.modules["lazy_pkg"].__dict__["good"] == "imported"  # (kept: looked up once)
    # An AttributeError inside the module would read "cannot import name 'broken'".
    with pytest.raises(ImportError, match="module 'os' has no attribute 'no_such_thing'"):
        from lazy_pkg import broken  # type: ignore[import-not-found]  # noqa: F401
    with pytest.raises(AttributeError, match="module 'lazy_pkg' has no attribute 'other'"):
        sys.modules["lazy_pkg"].other  # noqa: B018
