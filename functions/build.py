"""Prepare ``functions/`` for ``chalice local``, ``chalice package`` and ``chalice deploy``.

Run from anywhere::

    python functions/build.py                 # all stages
    python functions/build.py --content path/to/other/content

It writes, from the repository's one source of settings (``chalice.json``) and
content (``content/``), generated files only (none of them belongs in git):

* ``functions/.chalice/config.json``: ``chalice.json`` without the per-stage
  ``iam_policy`` documents (Chalice's own format otherwise);
* ``functions/.chalice/policy-<stage>.json``: each stage's hand-written
  least-privilege policy (``autogen_policy`` is off);
* ``functions/.chalice/resources-<stage>.json``, for stages on S3: the merge
  template ``functions/resources.json`` with the ``SiteOrigin`` parameter
  defaulting to the stage's ``SITE_ORIGIN`` (one source for the API's CORS and
  the bucket's), the retention parameters (``ClosedApplicationRetentionDays``,
  ``AccessRecordRetentionDays``) defaulting to ``content/retention.yml``, and
  ``MailIdentity`` to the SES identity the stage sends from
  (``MAIL_IDENTITY``, else the domain of ``MAIL_SENDER``: the one identity the
  function's ``ses:SendEmail`` is scoped to);
* ``functions/chalicelib/content/``: the files the Lambda reads from
  ``content/`` (form definitions, offices, province codes, message templates), so that
  ``chalice package`` ships them inside the zip.

Then, for example::

    cd functions && AWS_DEFAULT_REGION=ap-southeast-3 \\
        chalice package --stage prod --merge-template .chalice/resources-prod.json ../build/cfn
    python functions/build.py --clean     # the copy would shadow content/ for local runs

(``chalicelib.paths.content_dir`` prefers ``chalicelib/content/`` when it exists.)
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FUNCTIONS_DIR = Path(__file__).resolve().parent
REPOSITORY = FUNCTIONS_DIR.parent
SOURCE_CONFIG = REPOSITORY / "chalice.json"
MERGE_TEMPLATE = FUNCTIONS_DIR / "resources.json"
PACKAGED_CONTENT = FUNCTIONS_DIR / "chalicelib" / "content"

CONTENT_PATTERNS: tuple[str, ...] = (
    "forms/*.yml",
    "forms/*.yaml",
    "offices.yml",
    "services.yml",
    "applications.yml",
    "site.yml",
    "data/provinces.csv",
    "data/kecamatan.csv",
    "messages/*.yml",
)
"""What the function reads from ``content/`` (relative glob patterns)."""

POLICY_KEY = "iam_policy"


class BuildError(Exception):
    """The sources are missing or malformed; the message names the file."""


@dataclass
class BuildResult:
    """What :func:`build` wrote."""

    config: Path
    policies: list[Path] = field(default_factory=list)
    merge_templates: list[Path] = field(default_factory=list)
    content: list[Path] = field(default_factory=list)


def load_source(path: Path = SOURCE_CONFIG) -> dict[str, Any]:
    """Read ``chalice.json``, checking the shape this script relies on."""
    try:
        source = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(f"{path}: not found") from None
    except json.JSONDecodeError as error:
        raise BuildError(f"{path}:{error.lineno}: {error.msg}") from None
    stages = source.get("stages")
    if not isinstance(stages, dict) or not stages:
        raise BuildError(f"{path}: 'stages' must be an object with at least one stage")
    for name, stage in stages.items():
        if source.get("autogen_policy", True) is False and POLICY_KEY not in stage:
            raise BuildError(f"{path}: stage '{name}' needs an '{POLICY_KEY}' (autogen is off)")
    return source


def split_config(source: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return Chalice's config and the policy document of each stage."""
    config = copy.deepcopy(source)
    policies: dict[str, dict[str, Any]] = {}
    for name, stage in config["stages"].items():
        policy = stage.pop(POLICY_KEY, None)
        if policy is not None:
            policies[name] = policy
            stage["iam_policy_file"] = f"policy-{name}.json"
    return config, policies


def stage_environment(source: dict[str, Any], stage: str) -> dict[str, str]:
    """The environment variables a stage's function gets (global, then stage)."""
    env = dict(source.get("environment_variables", {}))
    env.update(source["stages"][stage].get("environment_variables", {}))
    return env


def render_merge_template(template: dict[str, Any], env: dict[str, str],
                          retention: Any = None, lifecycle: Any = None) -> dict[str, Any]:
    """The merge template with ``SiteOrigin`` defaulting to the stage's ``SITE_ORIGIN`` and,
    given a ``chalicelib.retention.RetentionPolicy``, the retention parameters to its days."""
    rendered = copy.deepcopy(template)
    parameters = rendered.setdefault("Parameters", {})
    origin = env.get("SITE_ORIGIN", "")
    if origin:
        parameters.setdefault("SiteOrigin", {})["Default"] = origin
    if retention is not None:
        for name, days in (("ClosedApplicationRetentionDays", retention.closed_applications_days),
                           ("AccessRecordRetentionDays", retention.access_records_days)):
            if name in parameters:
                parameters[name]["Default"] = days
    identity = mail_identity(env)
    if identity and "MailIdentity" in parameters:
        parameters["MailIdentity"]["Default"] = identity
    if lifecycle is not None and "FinishedDocumentDays" in parameters:
        # S3 counts whole days from the upload: one more than the download period
        parameters["FinishedDocumentDays"]["Default"] = lifecycle.result_available_days + 1
    return rendered


def load_retention_policy(content: Path) -> Any:
    """``content/retention.yml``, checked (``BuildError`` with ``file:line`` otherwise)."""
    from chalicelib.retention import RETENTION_FILE, RetentionPolicyError, load_retention

    try:
        return load_retention(content / RETENTION_FILE)
    except RetentionPolicyError as error:
        raise BuildError(str(error)) from None


def load_lifecycle_policy(content: Path) -> Any:
    """``content/applications.yml`` and the services' result kinds, checked."""
    from chalicelib.forms import FormDefinitionError
    from chalicelib.policy import load_policy

    try:
        return load_policy(content)
    except FormDefinitionError as error:
        raise BuildError(str(error)) from None


def mail_identity(env: dict[str, str]) -> str:
    """The SES identity a stage sends from: ``MAIL_IDENTITY``, else ``MAIL_SENDER``'s domain."""
    from email.utils import parseaddr

    explicit = env.get("MAIL_IDENTITY", "").strip()
    if explicit:
        return explicit
    return parseaddr(env.get("MAIL_SENDER", ""))[1].rpartition("@")[2]


def copy_content(content: Path, destination: Path = PACKAGED_CONTENT) -> list[Path]:
    """Replace ``destination`` with the files of ``content`` the function reads."""
    if not (content / "forms").is_dir():
        raise BuildError(f"{content / 'forms'}: no form definitions folder")
    if destination.exists():
        shutil.rmtree(destination)
    copied: list[Path] = []
    for pattern in CONTENT_PATTERNS:
        for source_file in sorted(content.glob(pattern)):
            target = destination / source_file.relative_to(content)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source_file, target)
            copied.append(target)
            if target.suffix == ".yml":
                copied.append(_compile_yaml(target))
    (destination / "README.txt").write_text(
        "Generated by functions/build.py from content/. Do not edit; edit content/.\n",
        encoding="utf-8",
    )
    return copied


def _compile_yaml(path: Path) -> Path:
    """Store the parsed tree beside the YAML file: the Lambda then needs no YAML parser at cold start."""
    from chalicelib.yamlfile import COMPILED_SUFFIX, parse_yaml, to_jsonable

    compiled = path.with_name(path.name + COMPILED_SUFFIX)
    tree = to_jsonable(parse_yaml(path.read_text(encoding="utf-8")))
    compiled.write_text(json.dumps(tree, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return compiled


def _write_json(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def build(
    *,
    source_path: Path = SOURCE_CONFIG,
    content: Path = REPOSITORY / "content",
    functions_dir: Path = FUNCTIONS_DIR,
) -> BuildResult:
    """Write the Chalice config, policies, merge templates and packaged content.

    Raises
    ------
    BuildError
        When ``chalice.json``, ``resources.json`` or ``content/forms`` is missing or broken.
    """
    source = load_source(source_path)
    if not (content / "forms").is_dir():
        raise BuildError(f"{content / 'forms'}: no form definitions folder")
    config, policies = split_config(source)
    dot_chalice = functions_dir / ".chalice"
    result = BuildResult(config=_write_json(dot_chalice / "config.json", config))
    for name, policy in policies.items():
        result.policies.append(_write_json(dot_chalice / f"policy-{name}.json", policy))
    template_path = functions_dir / MERGE_TEMPLATE.name
    retention = None
    for name in source["stages"]:
        env = stage_environment(source, name)
        if env.get("STORAGE_BACKEND") != "s3":
            continue
        try:
            template = json.loads(template_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError) as error:
            raise BuildError(f"{template_path}: {error}") from None
        retention = retention or load_retention_policy(content)
        rendered = render_merge_template(template, env, retention, load_lifecycle_policy(content))
        result.merge_templates.append(_write_json(dot_chalice / f"resources-{name}.json", rendered))
    result.content = copy_content(content, functions_dir / "chalicelib" / "content")
    return result


def clean(functions_dir: Path = FUNCTIONS_DIR) -> bool:
    """Remove the packaged content copy (it shadows ``content/`` for a local run)."""
    target = functions_dir / "chalicelib" / "content"
    if not target.exists():
        return False
    shutil.rmtree(target)
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python functions/build.py [--content DIR] [--clean]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clean", action="store_true",
                        help="remove chalicelib/content/ (after packaging) and stop")
    parser.add_argument("--content", type=Path, default=REPOSITORY / "content",
                        help="content folder to package (default: the repository's)")
    parser.add_argument("--config", type=Path, default=SOURCE_CONFIG,
                        help="settings source (default: chalice.json at the repository root)")
    args = parser.parse_args(argv)
    if args.clean:
        print("removed chalicelib/content/" if clean() else "nothing to clean")
        return 0
    try:
        result = build(source_path=args.config, content=args.content)
    except BuildError as error:
        print(f"build: {error}", file=sys.stderr)
        return 1
    for path in [result.config, *result.policies, *result.merge_templates]:
        print(f"wrote {path.relative_to(REPOSITORY) if path.is_relative_to(REPOSITORY) else path}")
    print(f"copied {len(result.content)} content files into chalicelib/content/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
