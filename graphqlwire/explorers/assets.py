"""The files an explorer page loads, where they are loaded from, and what the page says when
they do not arrive.

Every explorer names its scripts and style sheets as `Asset` paths in the npm layout the
public CDNs use (``<package>@<version>/<file in the package>``, as on jsDelivr and unpkg), so
a folder filled from the npm packages and served under any base URL works as a drop-in
replacement for the CDN (``assets_url=``, ``--explorer-assets``). Tags carry the file's
Subresource Integrity hash (sha384 of the exact npm file) and ``crossorigin="anonymous"``.

A small inline script (``templates/asset-guard.html``) watches those tags: a script or style
sheet that fails (unreachable, or not matching its hash) replaces the "Loading…" line with
a message naming the URL tried and the way to serve the files yourself, and so does a file
still missing after a few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .base import escape_html, js_value, load_template

#: Where the explorers load their files from by default: jsDelivr's mirror of npm.
DEFAULT_ASSETS_URL = "https://cdn.jsdelivr.net/npm/"
#: Milliseconds the page waits for its files before saying which one is still missing.
WAIT_MS = 5000
#: The id of the element that shows the loading line, then any failure.
STATUS_ID = "graphqlwire-explorer-status"


@dataclass(frozen=True)
class Asset:
    """One file an explorer page loads.

    `path`: where the file lives under the base URL (``graphiql@3.8.3/graphiql.min.js``).

    `integrity`: its Subresource Integrity hash (``sha384-…``), or None for a file whose
    publisher changes it in place, which no hash can pin.
    """

    path: str
    integrity: str | None

    def tag(self, base_url: str) -> str:
        """The ``<script>`` or ``<link rel="stylesheet">`` element loading this file."""
        url = escape_html(base_url + self.path)
        checks = f' integrity="{self.integrity}" crossorigin="anonymous"' if self.integrity else ""
        if self.path.endswith(".css"):
            return f'<link rel="stylesheet" href="{url}"{checks}>'
        return f'<script src="{url}"{checks}></script>'


def assets_base_url(assets_url: str | None, default: str = DEFAULT_ASSETS_URL) -> str:
    """The base URL the files are loaded from, ending with ``/``.

    `assets_url` may be absolute (``http``/``https``) or a path on this server
    (``/static/explorer``); anything else (``javascript:``, ``file:``, an empty string)
    raises ``ValueError`` so a typo in a flag is caught at start-up, not in a browser.
    """
    if assets_url is None:
        return default
    parts = urlsplit(assets_url)
    if not assets_url.strip() or parts.scheme not in ("", "http", "https"):
        raise ValueError(
            f"assets_url must be an http(s) URL or a path on this server, not {assets_url!r}"
        )
    if parts.scheme and not parts.netloc:
        raise ValueError(f"assets_url {assets_url!r} has no host")
    return assets_url if assets_url.endswith("/") else assets_url + "/"


def asset_markup(
    explorer: str,
    option_owner: str,
    assets: Sequence[Asset],
    globals_needed: Sequence[str],
    base_url: str,
    note: str = "",
) -> str:
    """The guard script followed by the tags loading `assets` from `base_url`.

    `explorer` names the explorer in messages ("GraphiQL"), `option_owner` is the class
    whose ``assets_url=`` the message points at, `globals_needed` the names the scripts
    must define before the page can start, and `note` an extra sentence for the failure
    message.
    """
    hint = (
        f" Without internet access, serve the explorer's files yourself and start the server "
        f"with --explorer-assets URL (in code: {option_owner}(assets_url=URL)); graphqlwire's "
        "README lists the npm packages and files to put under URL."
    )
    config = {
        "assets": [base_url + asset.path for asset in assets],
        "globals": list(globals_needed),
        "wait": WAIT_MS,
        "status": STATUS_ID,
        "failed": f"{explorer} could not load {{what}}: the server is unreachable from this "
        f"browser, or the file does not match its integrity hash.{note}{hint}",
        "waiting": f"{explorer} is still waiting for {{what}} after {WAIT_MS // 1000} "
        f"seconds.{note}{hint}",
        "missing": f"{explorer} loaded its files from {base_url} but {{what}} is not "
        f"defined: they are not the versions this page expects.{hint}",
        "crashed": f"{explorer} failed to start: {{what}} (the browser's console has more).",
    }
    guard = load_template("asset-guard.html").render({"config": js_value(config)})
    tags = "\n  ".join(asset.tag(base_url) for asset in assets)
    return f"{guard.strip()}\n  {tags}"


def status_line(text: str) -> str:
    """The element showing `text` ("Loading GraphiQL…") until the explorer starts."""
    return (
        f"<style>#{STATUS_ID} {{ font: 16px/1.5 system-ui, sans-serif; padding: 1em 1.5em; }}"
        f" #{STATUS_ID}.failed {{ color: #7a1010; background: #fdecec; }}</style>\n"
        f'  <div id="{STATUS_ID}" role="status">{escape_html(text)}</div>'
    )


__all__ = [
    "DEFAULT_ASSETS_URL",
    "STATUS_ID",
    "WAIT_MS",
    "Asset",
    "asset_markup",
    "assets_base_url",
    "status_line",
]
