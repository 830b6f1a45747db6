"""Import the app a command line names: ``module:attribute``, the attribute maybe dotted."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

__all__ = ["load_app"]


def load_app(spec: str, app_dir: str = ".") -> Any:
    """Import ``module:attribute`` (with `app_dir` first on ``sys.path``)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"APP must look like module:attribute, not {spec!r}")
    sys.path.insert(0, os.path.abspath(app_dir))
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        # The module itself or one of its parent packages is missing (not an import
        # inside it, which deserves its traceback).
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            raise ValueError(f"cannot import module {module_name!r}") from None
        raise
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return value
