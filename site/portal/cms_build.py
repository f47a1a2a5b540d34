"""Write the staff editor into the built site: `/admin/` on the site's own origin.

    write_admin(Path("build/site"), content, repo_root=ROOT, site_url="")

What lands in `admin/`:

- our page, scripts and styles from `site/admin/` (index.html, portal-admin.js and
  the modules it imports: the Indonesian locale, the file formats, the preview);
- the Decap CMS bundle from `site/admin/node_modules/decap-cms/dist/` into
  `admin/decap/`, and the `yaml` library's browser build into `admin/vendor/yaml/`:
  installed from the npm registry by `bin/setup` (`npm ci`, pinned by
  `site/admin/package-lock.json`), never loaded from a CDN;
- `config.yml`, generated from the content model (`portal.cms.cms_config`), and
  `portal.json`, what the closure preview needs (office names).

Everything stays under `admin/` so a per-path header rule (a looser
Content-Security-Policy, `X-Robots-Tag: noindex`) can target it. When the bundle
is not installed (no Node.js on the machine) the site builds without the editor.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import yaml

from .cms import cms_config, preview_data
from .content import Content

__all__ = ["ADMIN_SOURCE", "DECAP_DIST", "bundle_installed", "write_admin"]

log = logging.getLogger("mkdocs.plugins.portal.cms")

ADMIN_SOURCE = Path(__file__).resolve().parents[1] / "admin"
NODE_MODULES = ADMIN_SOURCE / "node_modules"
DECAP_DIST = NODE_MODULES / "decap-cms" / "dist"
YAML_DIST = NODE_MODULES / "yaml" / "browser" / "dist"
OWN_FILES = ("*.html", "*.js", "*.css")


def bundle_installed() -> bool:
    return (DECAP_DIST / "decap-cms.js").is_file() and (YAML_DIST / "index.js").is_file()


def write_admin(site_dir: Path, content: Content, *, repo_root: Path, site_url: str = "") -> bool:
    """Write `admin/` into `site_dir`; False (and nothing written) when the bundle is missing."""
    if not bundle_installed():
        log.info("The staff editor is left out of this build: its bundle is not installed (run bin/setup).")
        return False
    target = Path(site_dir) / "admin"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for pattern in OWN_FILES:
        for file in sorted(ADMIN_SOURCE.glob(pattern)):
            shutil.copyfile(file, target / file.name)
    decap = target / "decap"
    decap.mkdir()
    for pattern in ("decap-cms.js", "*.decap-cms.js", "*.wasm", "decap-cms.js.LICENSE.txt"):
        for file in DECAP_DIST.glob(pattern):
            shutil.copyfile(file, decap / file.name)
    shutil.copytree(YAML_DIST, target / "vendor" / "yaml", ignore=shutil.ignore_patterns("*.ts", "*.map"))
    config = cms_config(content, repo_root=repo_root, site_url=site_url)
    header = "# Generated from the content model by site/portal/cms.py at build time: do not edit.\n"
    (target / "config.yml").write_text(
        header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    data = {**preview_data(content), "styles": _site_styles(Path(site_dir))}
    (target / "portal.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                                        encoding="utf-8")
    return True


def _site_styles(site_dir: Path) -> list[str]:
    """The preview shows a closure in the site's own styles (paths relative to /admin/)."""
    styles = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.glob("assets/stylesheets/main.*.min.css"))
    ours = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.glob("assets/site.*.min.css"))
    return ["../" + s for s in [*styles, *ours]]
