"""Settings from ``CLARION_*`` environment variables and an optional ``clarion.toml``.

Precedence, most specific first: keyword overrides, environment, ``clarion.toml``, defaults.
Nothing here runs at import time; :func:`load_settings` is called by the CLI, the app factory
and the tests, each with the environment they mean.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from clarion.errors import ConfigError

DEFAULT_DATABASE_FILE = "clarion.db"
SERVE_PLUGIN_SETTINGS_ENV = "CLARION_SERVE_PLUGIN_SETTINGS"
"""Set by ``clarion serve`` for its web workers: the plugin settings of that run (JSON), see :func:`with_plugin_settings`."""
SECRET_KEY_FILE = ".clarion-secret"
ENV_SECRET_PREFIX = "$env"


# Settings that moved from ``[clarion]`` to a built-in plugin's section: old key -> (plugin, new key).
# An old key still works: it is moved to ``[plugins.<plugin>]`` with a warning saying where it lives now.
MOVED_TO_PLUGINS: dict[str, tuple[str, str]] = {
    "curation_criteria": ("gamification", "curation_criteria"),
    "production_criteria": ("gamification", "production_criteria"),
    "leaderboards": ("gamification", "leaderboards"),
    "oidc_issuer": ("identity-oidc", "issuer"),
    "oidc_discovery_url": ("identity-oidc", "discovery_url"),
    "oidc_client_id": ("identity-oidc", "client_id"),
    "oidc_client_secret": ("identity-oidc", "client_secret"),
    "oidc_scopes": ("identity-oidc", "scopes"),
    "oidc_external_id_claim": ("identity-oidc", "external_id_claim"),
    "oidc_redirect_url": ("identity-oidc", "redirect_url"),
    "oidc_algorithms": ("identity-oidc", "algorithms"),
    "oidc_timeout_seconds": ("identity-oidc", "timeout_seconds"),
}

# Environment variables that set a key of a built-in plugin's section: variable -> (plugin, key).
# Like every variable they win over clarion.toml; they are not deprecated, so they give no warning.
PLUGIN_ENVIRONMENT: dict[str, tuple[str, str]] = {
    "CLARION_OIDC_ISSUER": ("identity-oidc", "issuer"),
    "CLARION_OIDC_CLIENT_ID": ("identity-oidc", "client_id"),
    "CLARION_OIDC_CLIENT_SECRET": ("identity-oidc", "client_secret"),
}


class MovedSettingWarning(FutureWarning):
    """A setting was given under its old name in ``[clarion]``; it now belongs to a plugin's section."""


class IgnoredSettingWarning(UserWarning):
    """A ``[plugins.<name>]`` section is set for a plugin that is blocked, so nothing reads it."""


def move_plugin_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Move old ``[clarion]`` keys listed in :data:`MOVED_TO_PLUGINS` into their plugin's section, warning once each.

    A value already given in the plugin's section wins over the old key.
    """
    moved = [key for key in MOVED_TO_PLUGINS if key in values]
    if not moved:
        return values
    values = dict(values)
    sections = {name: dict(section) for name, section in dict(values.get("plugins") or {}).items()}
    for old_key in moved:
        plugin, new_key = MOVED_TO_PLUGINS[old_key]
        value = values.pop(old_key)
        warnings.warn(
            f"the setting {old_key!r} moved to the {plugin!r} plugin: write it as {new_key} under "
            f"[plugins.{plugin}] in clarion.toml; the old name still works for now",
            MovedSettingWarning,
            stacklevel=3,
        )
        sections.setdefault(plugin, {}).setdefault(new_key, value)
    values["plugins"] = sections
    return values


LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


class Settings(BaseModel):
    """Everything the engine needs to start. Immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATABASE_FILE}",
        description="SQLAlchemy URL; a SQLite file in the working directory by default.",
    )
    secret_key: str = Field(default="", description="Signs tokens and derives encryption keys. Keep it secret.")
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL, used in tracked links.")
    config_path: str | None = Field(default=None, description="The clarion.toml read, if any.")
    plugin_autoload: bool = Field(default=True, description="Load plugins from installed 'clarion' entry points.")
    plugin_modules: tuple[str, ...] = Field(default=(), description="Extra plugin modules to import and register.")
    disabled_plugins: tuple[str, ...] = Field(default=(), description="Plugin names that must not be registered.")
    plugins: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-plugin sections, keyed by plugin name."
    )
    template_dirs: tuple[str, ...] = Field(
        default=(), description="Site template directories, searched before plugin and built-in templates."
    )
    utm_medium: str = Field(
        default="employee_advocacy", min_length=1, max_length=100, description="utm_medium added to tracked links."
    )
    link_fallback_url: str | None = Field(
        default=None,
        description="Where tracked links of archived or expired content lead; Clarion's home page when unset.",
    )
    max_page_size: int = Field(default=100, ge=1, le=1000)
    default_page_size: int = Field(default=25, ge=1, le=1000)
    demo: bool = Field(default=False, description="Serving the demo programme.")
    guidelines_version: str = Field(
        default="1", max_length=32, description="Social media guidelines version to accept when opting in."
    )
    provision_ambassadors: bool = Field(
        default=True, description="Create an ambassador the first time the intranet vouches for a person."
    )
    redis_url: str | None = Field(
        default=None, description="Redis URL of the job queue; unset, jobs use a SQLite file (queue_path)."
    )
    queue_path: str | None = Field(
        default=None, description="The SQLite job queue file; by default next to the SQLite database."
    )
    queue_name: str = Field(default="clarion", min_length=1, max_length=100, description="Name of the job queue.")
    run_consumer_in_serve: bool = Field(default=True, description="`clarion serve` runs the job consumer too.")
    workers: int = Field(default=2, ge=1, le=64, description="Job consumer threads per process.")
    max_publish_attempts: int = Field(default=5, ge=1, le=50, description="API publish attempts before giving up.")
    publish_retry_seconds: float = Field(
        default=30.0, gt=0, description="First retry delay after a transient publish failure; doubles each attempt."
    )
    publish_timeout_seconds: float = Field(
        default=600.0, gt=0, description="A share publishing for longer than this is reconciled by the sweeper."
    )
    metrics_sync: bool = Field(default=True, description="Job consumers poll networks for share metrics.")
    metrics_schedule: str = Field(
        default="2d=1h, 14d=1d, 90d=7d",
        description="How often a share's metrics are polled by its age: 'AGE=EVERY' steps; the last AGE is the "
        "age after which polling stops.",
    )
    metrics_account_budget: int = Field(
        default=100, ge=1, le=10_000, description="Posts polled per network account in one sync run."
    )
    metrics_rate_limit_wait_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Wait before polling an account again after a rate limit that named no time.",
    )
    submit_requires_level: dict[Literal["curated", "produced"], Literal["curation", "production"]] = Field(
        default_factory=dict, description="The level an ambassador needs to suggest content of an origin."
    )

    embed_origins: tuple[str, ...] = Field(
        default=(),
        description="Exact origins of intranet pages allowed to frame /embed/*, call Clarion with CORS and "
        "receive its postMessages.",
    )
    session_cookie: Literal["auto", "cross-site", "same-site"] = Field(
        default="auto",
        description="Attributes of the widget session cookie: cross-site (SameSite=None; Secure; Partitioned), "
        "same-site (SameSite=Lax), or auto (cross-site when base_url is https).",
    )
    widget_session_seconds: int = Field(
        default=8 * 3600, ge=60, le=24 * 3600, description="Lifetime of a widget session (cookie or bearer)."
    )
    office_networks: tuple[str, ...] = Field(
        default=(), description="Office networks (CIDR); clicks from them are flagged internal and not counted."
    )
    outbound_allow_networks: tuple[str, ...] = Field(
        default=(),
        description="Networks (CIDR) Clarion may connect to although they are not public, e.g. an intranet "
        "identity provider; every other private, loopback or link-local address is refused.",
        validate_default=True,
    )
    trusted_proxies: tuple[str, ...] = Field(
        default=(), description="Reverse proxies (CIDR) whose X-Forwarded-For names the client; nobody else's is read."
    )
    signin_failures_allowed: int = Field(
        default=10, ge=1, le=10_000, description="Failed sign-ins and token exchanges per address and window."
    )
    token_failures_allowed: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Refused bearer tokens (API tokens, signed tokens) per address and window.",
    )
    failure_window_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="The window of the failure counts; a blocked address waits until it ends.",
    )
    duplicate_window_seconds: int = Field(
        default=1800,
        ge=0,
        le=86400,
        description="A visitor's repeated clicks on one share within this many seconds count once.",
    )
    click_journal_dir: str | None = Field(
        default=None,
        description="Directory of the click journal; by default next to the SQLite database, or ./clarion-clicks.",
    )
    click_ingest_interval_seconds: float = Field(
        default=2.0, gt=0, le=3600, description="How often `clarion serve` moves journalled clicks into the database."
    )
    ingest_clicks_in_serve: bool = Field(default=True, description="`clarion serve` runs the click ingester too.")
    click_journal_segment_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=4096,
        description="A journal file is closed and a new one started past this size.",
    )
    link_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="How long each process remembers where a tracked link leads (0: ask the database every time).",
    )

    potential_reach_defaults: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "Estimated potential reach per network when the sharer's follower count is unknown; "
            '"default" covers the other networks. Overrides the connectors\' own figures.'
        ),
    )
    analytics_batch_size: int = Field(
        default=5000, ge=1, le=1_000_000, description="Raw rows folded into the rollups per batch."
    )
    analytics_settle_seconds: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="Rows younger than this wait for the next rollup update, so a slow transaction is not skipped.",
    )

    @model_validator(mode="before")
    @classmethod
    def _moved_settings(cls, values: Any) -> Any:
        return move_plugin_settings(values) if isinstance(values, dict) else values

    @field_validator("potential_reach_defaults")
    @classmethod
    def _reach_not_negative(cls, defaults: dict[str, int]) -> dict[str, int]:
        for network, reach in defaults.items():
            if reach < 0:
                raise ValueError(f"the potential reach default for {network!r} cannot be negative")
        return defaults

    def plugin_section(self, name: str) -> dict[str, Any]:
        """The ``[plugins.<name>]`` table with ``$env`` references resolved.

        References are read from the process environment each time a section is asked for
        (once, when the engine starts), so the settings object itself never holds the secret.
        """
        return resolve_env_references(self.plugins.get(name, {}), path=f"plugins.{name}")

    @field_validator("embed_origins")
    @classmethod
    def _exact_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            parts = urlsplit(origin)
            if (
                "*" in origin
                or parts.scheme not in {"http", "https"}
                or not parts.hostname
                or parts.path
                or parts.query
                or parts.fragment
                or parts.username
            ):
                raise ValueError(
                    f"{origin!r} is not an exact origin: write scheme://host[:port], no path and no wildcard"
                )
        return tuple(origin.lower() for origin in origins)

    @property
    def cross_site_cookie(self) -> bool:
        """Whether the widget session cookie must survive being sent from another site's frame."""
        if self.session_cookie == "auto":
            return self.base_url.startswith("https://")
        return self.session_cookie == "cross-site"

    @field_validator("office_networks", "outbound_allow_networks", "trusted_proxies", mode="before")
    @classmethod
    def _networks_from_text(cls, value: Any) -> Any:
        return _split_names(value) if isinstance(value, str) else value

    @field_validator("office_networks", "outbound_allow_networks", "trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        normalised = []
        for network in value:
            try:
                normalised.append(str(ipaddress.ip_network(network, strict=False)))
            except ValueError:
                raise ValueError(f"{network!r} is not a network in CIDR notation (e.g. 192.0.2.0/24)") from None
        return tuple(normalised)

    @field_validator("outbound_allow_networks")
    @classmethod
    def _demo_reaches_its_fake_networks(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        # The demo's fake networks listen on loopback: allowed by name, the outbound check stays on.
        if info.data.get("demo"):
            value = (*value, *(network for network in LOOPBACK_NETWORKS if network not in value))
        return value

    @model_validator(mode="after")
    def _page_sizes(self) -> Settings:
        if self.default_page_size > self.max_page_size:
            raise ValueError("default_page_size must not exceed max_page_size")
        return self

    @field_validator("metrics_schedule")
    @classmethod
    def _metrics_schedule(cls, value: str) -> str:
        parse_poll_schedule(value)  # raises ValueError with the reason
        return value

    def poll_schedule(self) -> tuple[PollStep, ...]:
        """``metrics_schedule`` parsed: steps by ascending age."""
        return parse_poll_schedule(self.metrics_schedule)


@dataclass(frozen=True)
class PollStep:
    """Poll every ``every`` while a share is younger than ``until``."""

    until: timedelta
    every: timedelta


_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def _duration(text: str, where: str) -> timedelta:
    match = _DURATION.match(text)
    if match is None or int(match[1]) == 0:
        raise ValueError(f"{where} {text.strip()!r} is not a duration such as 30m, 6h, 2d or 1w")
    return int(match[1]) * _UNITS[match[2]]


def parse_poll_schedule(text: str) -> tuple[PollStep, ...]:
    """``"2d=1h, 14d=1d, 90d=7d"`` → poll hourly until 2 days old, daily until 14, weekly until 90.

    Raises:
        ValueError: a step is not ``AGE=EVERY``, a duration is malformed, or ages do not increase.
    """
    steps: list[PollStep] = []
    for part in text.split(","):
        if not part.strip():
            continue
        age, separator, every = part.partition("=")
        if not separator:
            raise ValueError(f"step {part.strip()!r} must be AGE=EVERY, such as 2d=1h")
        step = PollStep(_duration(age, "age"), _duration(every, "interval"))
        if steps and step.until <= steps[-1].until:
            raise ValueError("the ages of the steps must increase")
        steps.append(step)
    if not steps:
        raise ValueError("give at least one step, such as 90d=1d")
    return tuple(steps)


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _env_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def resolve_env_references(value: Any, *, path: str, environ: Mapping[str, str] | None = None) -> Any:
    """Replace ``{"$env": "NAME"}`` tables with the environment variable's value.

    Secrets stay out of ``clarion.toml``: ``secret = { "$env" = "PROXY_SECRET" }``.

    Raises:
        ConfigError: when the named variable is not set.
    """
    environ = os.environ if environ is None else environ
    if isinstance(value, dict):
        if set(value) == {ENV_SECRET_PREFIX}:
            name = value[ENV_SECRET_PREFIX]
            if not isinstance(name, str) or name not in environ:
                raise ConfigError(f"{path} refers to environment variable {name!r}, which is not set")
            return environ[name]
        return {key: resolve_env_references(item, path=f"{path}.{key}", environ=environ) for key, item in value.items()}
    if isinstance(value, list):
        return [
            resolve_env_references(item, path=f"{path}[{index}]", environ=environ) for index, item in enumerate(value)
        ]
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _from_toml(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data.get("clarion", {}))
    unknown = set(data) - {"clarion", "plugins"}
    if unknown:
        raise ConfigError(
            f"unknown section(s) in clarion.toml: {', '.join(sorted(unknown))} "
            "(expected [clarion] and [plugins.<name>])"
        )
    if "plugins" in data:
        values["plugins"] = data["plugins"]
    return values


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    simple = {
        "CLARION_DATABASE_URL": "database_url",
        "CLARION_SECRET_KEY": "secret_key",
        "CLARION_BASE_URL": "base_url",
        "CLARION_REDIS_URL": "redis_url",
        "CLARION_QUEUE_PATH": "queue_path",
        "CLARION_OFFICE_NETWORKS": "office_networks",
        "CLARION_OUTBOUND_ALLOW_NETWORKS": "outbound_allow_networks",
        "CLARION_TRUSTED_PROXIES": "trusted_proxies",
        "CLARION_DUPLICATE_WINDOW_SECONDS": "duplicate_window_seconds",
        "CLARION_CLICK_JOURNAL_DIR": "click_journal_dir",
        "CLARION_CLICK_INGEST_INTERVAL_SECONDS": "click_ingest_interval_seconds",
        "CLARION_LINK_CACHE_SECONDS": "link_cache_seconds",
    }
    for env_name, field in simple.items():
        if environ.get(env_name):
            values[field] = environ[env_name]
    if "CLARION_DISABLE_PLUGIN_AUTOLOAD" in environ:
        values["plugin_autoload"] = not _env_bool(
            "CLARION_DISABLE_PLUGIN_AUTOLOAD", environ["CLARION_DISABLE_PLUGIN_AUTOLOAD"]
        )
    if "CLARION_RUN_CONSUMER_IN_SERVE" in environ:
        values["run_consumer_in_serve"] = _env_bool(
            "CLARION_RUN_CONSUMER_IN_SERVE", environ["CLARION_RUN_CONSUMER_IN_SERVE"]
        )
    if "CLARION_INGEST_CLICKS_IN_SERVE" in environ:
        values["ingest_clicks_in_serve"] = _env_bool(
            "CLARION_INGEST_CLICKS_IN_SERVE", environ["CLARION_INGEST_CLICKS_IN_SERVE"]
        )
    if environ.get("CLARION_WORKERS"):
        values["workers"] = environ["CLARION_WORKERS"]
    if "CLARION_EMBED_ORIGINS" in environ:
        values["embed_origins"] = _split_names(environ["CLARION_EMBED_ORIGINS"])
    if environ.get("CLARION_SESSION_COOKIE"):
        values["session_cookie"] = environ["CLARION_SESSION_COOKIE"]
    if "CLARION_PLUGINS" in environ:
        values["plugin_modules"] = _split_names(environ["CLARION_PLUGINS"])
    if "CLARION_DISABLED_PLUGINS" in environ:
        values["disabled_plugins"] = _split_names(environ["CLARION_DISABLED_PLUGINS"])
    return values


def _with_plugin_environment(values: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """``values`` with the :data:`PLUGIN_ENVIRONMENT` variables that are set laid over their plugins' sections."""
    given = {name: target for name, target in PLUGIN_ENVIRONMENT.items() if environ.get(name)}
    if not given:
        return values
    sections = {name: dict(section) for name, section in dict(values.get("plugins") or {}).items()}
    for env_name, (plugin, key) in given.items():
        sections.setdefault(plugin, {})[key] = environ[env_name]
    return {**values, "plugins": sections}


def load_settings(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None, **overrides: Any) -> Settings:
    """Build :class:`Settings` from defaults, ``clarion.toml``, the environment and overrides.

    The config file is ``$CLARION_CONFIG`` if set, else ``./clarion.toml`` if it exists.

    Raises:
        ConfigError: with one sentence naming the bad setting.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    values: dict[str, Any] = {}
    config_path: Path | None = None
    if environ.get("CLARION_CONFIG"):
        config_path = Path(environ["CLARION_CONFIG"])
    elif (cwd / "clarion.toml").is_file():
        config_path = cwd / "clarion.toml"
    if config_path is not None:
        values.update(_from_toml(_read_toml(config_path)))
        values["config_path"] = str(config_path)
    values.update(_from_env(environ))
    values = _with_plugin_environment(values, environ)
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")  # a validator's own sentence
        raise ConfigError(f"invalid setting {where}: {message}") from exc
    if not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": _local_secret_key(cwd)})
    return settings


def with_plugin_settings(settings: Settings, overrides: Mapping[str, Mapping[str, Any]]) -> Settings:
    """``settings`` with ``[plugins.<name>]`` values laid over the configured ones (other values kept)."""
    plugins = {name: dict(section) for name, section in settings.plugins.items()}
    for name, values in overrides.items():
        plugins[name] = {**plugins.get(name, {}), **values}
    return settings.model_copy(update={"plugins": plugins})


def plugin_settings_from_environment(value: str) -> dict[str, dict[str, Any]]:
    """Read :data:`SERVE_PLUGIN_SETTINGS_ENV` as ``clarion serve`` wrote it.

    Raises:
        ConfigError: the value is not a JSON object of objects.
    """
    try:
        overrides = json.loads(value)
    except ValueError as exc:
        raise ConfigError(f"{SERVE_PLUGIN_SETTINGS_ENV} is not JSON: {exc}") from exc
    if not isinstance(overrides, dict) or not all(isinstance(section, dict) for section in overrides.values()):
        raise ConfigError(f"{SERVE_PLUGIN_SETTINGS_ENV} must map plugin names to their settings")
    return overrides


def _local_secret_key(cwd: Path) -> str:
    """A per-installation key kept next to the embedded database, for the zero-config default.

    Production sets ``CLARION_SECRET_KEY``; this only keeps tokens valid across restarts of a
    local or demo install without asking the newcomer to invent a secret.
    """
    path = cwd / SECRET_KEY_FILE
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    except OSError:
        return key  # read-only working directory: the key lives as long as the process
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
