"""One settings schema, read from mkdocs.yml's plugin section by the CLI and the plugin."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

PLUGIN_NAME = "postmortem-kb"


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    postmortem_due_hours: int = Field(
        24, ge=0, description="Internal postmortem filed within this many hours of resolution."
    )
    public_postmortem_due_hours: int = Field(
        72, ge=0, description="Public postmortem within this many hours when customers were impacted."
    )
    min_contributing_factors: int = Field(2, ge=0, description="Fewest contributing factors a postmortem may name.")
    stale_action_grace_days: int = Field(0, ge=0, description="Days past due before an open action is stale.")
    toil_limit_percent: int = Field(50, ge=0, le=100, description="Largest share of time a team spends on toil.")


class RuleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ignore: list[str] = Field(default_factory=list, description="Rule codes or names never reported.")
    severity: dict[str, str] = Field(default_factory=dict, description="Rule code or name → error | warning.")


class PublicSettings(BaseModel):
    """The public site: customer-facing versions of postmortems with customer impact."""

    model_config = ConfigDict(extra="forbid")

    build: bool = Field(False, description="Build the public site instead of the internal one (see mkdocs-public.yml).")
    internal_domains: list[str] = Field(
        default_factory=lambda: ["internal", "corp", "local", "lan", "intra", "intranet"],
        description="Host name endings that must not appear in public sections.",
    )
    internal_words: list[str] = Field(
        default_factory=list, description="Words (code names, team names) that must not appear in public sections."
    )
    internal_tools: list[str] = Field(
        default_factory=lambda: [
            "slack.com",
            "atlassian.net",
            "pagerduty.com",
            "opsgenie.com",
            "teams.microsoft.com",
            "zoom.us",
            "docs.google.com",
            "drive.google.com",
            "notion.so",
        ],
        description="Hosts of internal tools (chat, wiki, paging, documents): no link to them, or their subdomains, "
        "in what the public site shows.",
    )
    internal_markers: list[str] = Field(
        default_factory=lambda: [
            "internal only",
            "internal-only",
            "internal use only",
            "for internal use",
            "internal notes",
            "internal details",
            "do not publish",
            "not for publication",
            "not for public",
        ],
        description="Phrases that mark text as internal: text the public site shows must not contain them.",
    )


class Settings(BaseModel):
    """The plugin section of mkdocs.yml (`plugins: - postmortem-kb: {...}`)."""

    model_config = ConfigDict(extra="forbid")

    taxonomy: str = "factors.yml"  # relative to the postmortems folder (docs_dir)
    playbook_dir: str = "ops-playbook"
    templates_dir: str = "templates"
    severities: list[str] = Field(default_factory=lambda: ["SEV1", "SEV2", "SEV3", "SEV4"], min_length=1)
    policy: Policy = Field(default_factory=Policy)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    report_only: list[str] = Field(default_factory=list, description="Rules that never fail `mkdocs build --strict`.")
    language_rules: list[str] = Field(default_factory=list, description="Extra phrase-rule YAML files.")
    today: date | None = None
    enabled: bool = True
    public: PublicSettings = Field(default_factory=PublicSettings)


class ConfigError(Exception):
    """A configuration problem; the message names the key in mkdocs.yml."""


@dataclass(frozen=True)
class Project:
    """Where things are, resolved once at the edge."""

    root: Path  # folder holding mkdocs.yml
    docs_dir: Path  # the postmortems folder
    site_url: str
    settings: Settings

    @property
    def playbook_dir(self) -> Path:
        return self.root / self.settings.playbook_dir

    @property
    def templates_dir(self) -> Path:
        return self.root / self.settings.templates_dir

    @property
    def taxonomy_path(self) -> Path:
        return self.docs_dir / self.settings.taxonomy

    @property
    def context_files(self) -> list[Path]:
        """The files every postmortem is checked against (besides mkdocs.yml): a change
        to one can change the findings of every postmortem."""
        services = self.docs_dir / "services.yml"  # the service catalog (load.taxonomy.SERVICES_FILE)
        return [
            self.taxonomy_path,
            services,
            *sorted(self.templates_dir.glob("*.md")),
            *(self.root / f for f in self.settings.language_rules),
        ]


class _LenientLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags; the CLI only needs our section."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_LenientLoader.add_multi_constructor("", _any_tag)


def read_mkdocs_yml(path: Path) -> Any:
    """mkdocs.yml as data, its tags (`!ENV`, `!!python/name:`) kept as plain values."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LenientLoader)


def format_validation_error(err: ValidationError, prefix: str) -> str:
    parts = []
    for e in err.errors():
        key = ".".join([prefix, *(str(p) for p in e["loc"])])
        parts.append(f"{key}: {e['msg']}")
    return "; ".join(parts)


def parse_settings(raw: dict[str, Any] | None, prefix: str = f"plugins.{PLUGIN_NAME}") -> Settings:
    try:
        return Settings.model_validate(raw or {})
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, prefix)) from None


def find_config(start: Path) -> Path | None:
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    return None


def load_project(config_file: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Project:
    path = Path(config_file) if config_file else find_config(cwd or Path.cwd())
    if path is None or not path.is_file():
        raise ConfigError(f"no mkdocs.yml found (looked in {cwd or Path.cwd()} and its parents); pass --config")
    try:
        doc = read_mkdocs_yml(path) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    raw: dict[str, Any] | None = None
    for entry in doc.get("plugins") or []:
        if entry == PLUGIN_NAME:
            raw = {}
        elif isinstance(entry, dict) and PLUGIN_NAME in entry:
            raw = entry[PLUGIN_NAME] or {}
    if isinstance(doc.get("plugins"), dict) and PLUGIN_NAME in doc["plugins"]:
        raw = doc["plugins"][PLUGIN_NAME] or {}
    settings = parse_settings(raw)
    root = path.parent.resolve()
    return Project(
        root=root,
        docs_dir=(root / str(doc.get("docs_dir", "docs"))).resolve(),
        site_url=str(doc.get("site_url") or ""),
        settings=settings,
    )
