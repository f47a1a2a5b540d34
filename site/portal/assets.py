"""The portal's own CSS and JavaScript: minified, bundled and fingerprinted at build time.

    bundles = AssetBundles(Path("site/overrides"))
    bundles.path("form.js")     # 'assets/form.3f9c0a1b.min.js' (nik.js + form.js, minified)

Sources stay readable in ``site/overrides/assets/``; the build publishes only the
bundles, named like Material's own files (``<name>.<hash>.min.<ext>``), so
``portal publish`` serves them with a year-long immutable Cache-Control and a new
build never meets yesterday's script in a cache. Minifying (rjsmin, rcssmin) takes
about a quarter off their gzip size, which is what a resident on a slow line waits for.

Which page loads what:

* every page: ``site.css`` (``extra_css`` in mkdocs.yml) and ``site.js`` (``main.html``,
  fetched with low priority so the stylesheets come first on a slow line);
* the form, the receipt and the status check: ``form.css`` and, each, its own
  script: ``form.js``, ``receipt.js`` or ``status-check.js``, all three starting
  with ``form-common.js`` (their templates call ``portal.asset(...)``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUNDLES", "Asset", "AssetBundles"]

BUNDLES: dict[str, tuple[str, ...]] = {
    "site.css": ("assets/portal.css",),
    "site.js": ("assets/status.js",),
    "form.css": ("assets/form.css",),
    "form.js": ("assets/nik.js", "assets/form-common.js", "assets/form-checks.js", "assets/uploads.js",
                "assets/drafts.js", "assets/credential.js", "assets/correction.js", "assets/form.js"),
    "receipt.js": ("assets/form-common.js", "assets/credential.js", "assets/copy.js", "assets/receipt.js"),
    "status-check.js": ("assets/form-common.js", "assets/credential.js", "assets/copy.js",
                        "assets/status-check.js"),
}
"""Bundle name -> its sources (relative to the theme's custom_dir), in load order."""

EVERY_PAGE = {"css": "site.css", "js": "site.js"}
"""The bundles mkdocs.yml's ``extra_css`` (or ``extra_javascript``) sources become."""


@dataclass(frozen=True)
class Asset:
    """One built bundle: where it is published and its bytes."""

    name: str
    path: str  # 'assets/form.3f9c0a1b.min.js', relative to the site root
    content: bytes
    sources: tuple[str, ...]


def minify(kind: str, text: str) -> str:
    """Minify CSS or JavaScript source text (comments and layout whitespace go)."""
    if kind == "css":
        import rcssmin

        return rcssmin.cssmin(text)
    import rjsmin

    return rjsmin.jsmin(text)


class AssetBundles:
    """The bundles of one build, made once from the theme's custom_dir."""

    def __init__(self, overrides: Path, bundles: dict[str, tuple[str, ...]] = BUNDLES) -> None:
        self.overrides = Path(overrides)
        self._assets = {name: self._build(name, sources) for name, sources in bundles.items()}

    def _build(self, name: str, sources: tuple[str, ...]) -> Asset:
        stem, kind = name.rsplit(".", 1)
        parts = []
        for source in sources:
            file = self.overrides / source
            if not file.is_file():
                raise FileNotFoundError(f"{file}: asset source of bundle {name} not found")
            parts.append(minify(kind, file.read_text(encoding="utf-8")).strip())
        # ';' between scripts: a file ending without one must not run into the next.
        content = (";\n" if kind == "js" else "\n").join(parts).encode("utf-8") + b"\n"
        digest = hashlib.sha256(content).hexdigest()[:8]
        return Asset(name, f"assets/{stem}.{digest}.min.{kind}", content, sources)

    def path(self, name: str) -> str:
        """Site path of a bundle, e.g. ``assets/site.1a2b3c4d.min.css``."""
        try:
            return self._assets[name].path
        except KeyError:
            raise KeyError(f"unknown asset bundle {name!r}; known: {', '.join(sorted(self._assets))}") from None

    def __iter__(self):
        return iter(self._assets.values())

    def sources(self) -> set[str]:
        """Every source file a bundle replaces (not published themselves)."""
        return {source for asset in self for source in asset.sources}

    def replace_entries(self, entries: Iterable, kind: str) -> list:
        """mkdocs.yml's extra_css/extra_javascript with the every-page bundle in place of its sources."""
        bundle = self._assets[EVERY_PAGE[kind]]
        replaced, placed = [], False
        for entry in entries:
            path = str(getattr(entry, "path", entry))
            if path in bundle.sources:
                if not placed:
                    replaced.append(_with_path(entry, bundle.path))
                    placed = True
                continue
            replaced.append(entry)
        return replaced


def _with_path(entry, path: str):
    if isinstance(entry, str):
        return path
    entry.path = path
    return entry
