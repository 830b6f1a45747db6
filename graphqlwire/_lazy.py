"""Lazy public names for packages (PEP 562): import a name's module when it is first used.

A package whose ``__init__`` imported its public names eagerly would make every
``import package.submodule`` pay for all of them. With `lazy_exports`, importing
``graphqlwire.server.config`` (as the command line does before it switches the garbage
collector off for start-up) costs only that module and its own imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for `package`: each name of `exports` from its module.

    `exports` maps a public name to the module defining it (absolute, or relative to
    `package`). The first lookup imports the module and stores the value in the package's
    namespace, so later lookups are plain attribute reads.
    """
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            defining = importlib.import_module(module, package)
        except AttributeError as error:  # (`from package import name` would hide it)
            raise ImportError(f"cannot import {package}.{name}: {error}") from error
        value = getattr(defining, name)
        namespace[name] = value
        return value

    return __getattr__
