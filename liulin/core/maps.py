"""Map tiles: none by default, one configurable tile server when a deployment wants them.

The maps (static/js/map.js) draw the community's grids and buildings as vectors on a plain
background, so no page asks a third party for anything. A deployment that has a tile server
(its own, or a provider it has an agreement with) sets LIULIN_MAP_TILE_URL, e.g.
`https://{s}.tile.example.org/{z}/{x}/{y}.png`; only then do the pages load tiles, and only
from that host, which `tile_csp_sources` adds to the CSP's img-src.

Imported by settings.py: plain Python, no Django.
"""

from urllib.parse import urlsplit


def tile_csp_sources(url):
    """The CSP source that allows images from the tile URL's host ([] without a URL).
    A `{s}` sub-domain placeholder becomes a wildcard: `https://*.tile.example.org`."""
    url = (url or "").strip()
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"LIULIN_MAP_TILE_URL must be an http(s) URL, not {url!r}")
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = host.split(".")
    if labels and "{" in labels[0]:
        labels[0] = "*"
    host = ".".join(labels)
    if "{" in host:
        raise ValueError(f"LIULIN_MAP_TILE_URL may have a placeholder only in its first host label: {url!r}")
    return [f"{parts.scheme}://{host}"]
