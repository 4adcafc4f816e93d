"""The workspace configuration: ``docgen.toml`` read into one validated model.

Sources, later ones winning: built-in defaults → ``docgen.toml`` → ``DOCGEN_*``
environment variables (``DOCGEN_<SECTION>_<KEY>``, e.g. ``DOCGEN_PATHS_ARCHIVE``)
→ command-line flags. A wrong key or a wrong type is a :class:`ConfigError`
naming the key and the file. The decisions RULES.md leaves to the office
(sample rounding, masking) are settings here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from docgen.errors import ConfigError
from docgen.i18n import N_, _, translate
from docgen.privacy import MAX_ID_KEEP, MaskingPolicy, NameStyle

CONFIG_NAME = "docgen.toml"
ENV_PREFIX = "DOCGEN_"
#: Environment variables with the prefix that are not configuration keys.
_ENV_NOT_CONFIG = {"DOCGEN_WORKSPACE", "DOCGEN_DEBUG", "DOCGEN_LANG", "DOCGEN_TEST_POSTGRES_URL"}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(_Section):
    """A unit (科室) whose members query household data, with its supervisor (R6.2)."""

    name: str
    supervisor: str = ""


class Office(_Section):
    """Who the office is and who holds each role of the regulation."""

    name: str = "臺北市市場處"
    director: str = ""
    administrator: str = ""
    ethics_officer: str = ""
    auditors: list[str] = Field(default_factory=list)
    planning_unit: str = "企劃室"


class Masking(_Section):
    """Masking of personal data (RULES.md, Decisions: 國發會 rule of 民國103年)."""

    #: ISSUE 9 item 14: at most the first six characters (more gives the ID back).
    id_keep: int = Field(default=6, ge=0, le=MAX_ID_KEEP)
    id_mask_char: str = Field(default="*", min_length=1, max_length=1)
    name_mask_char: str = Field(default="○", min_length=1, max_length=1)
    #: ISSUE 11 item 8: how every masked name shows, the queried persons' (被查詢人)
    #: above all: "middle" 王○明, or "surname" 王○○ (臺北市政府個人資料遮罩作業SOP).
    name_style: NameStyle = "middle"
    #: ISSUE 11 item 8: print the signer's own national ID in full on 附件2/附件3
    #: (the signer's name is always printed in full there); masked by default.
    print_signer_id: bool = False

    @field_validator("id_mask_char", "name_mask_char")
    @classmethod
    def _hides(cls, value: str) -> str:
        """A mask must not look like data: a digit would make ``A12345****`` a full ID."""
        if value.isdigit() or value.isspace():
            raise ValueError(
                _("a mask character must not be a digit or a space, not {value!r}").format(
                    value=value
                )
            )
        return value

    def policy(self) -> MaskingPolicy:
        """The policy :mod:`docgen.privacy` applies."""
        return MaskingPolicy(
            self.id_keep,
            self.id_mask_char,
            self.name_mask_char,
            self.name_style,
            self.print_signer_id,
        )


class Sampling(_Section):
    """Sample-size rounding (RULES.md, Decisions: rounded up by default)."""

    rounding: Literal["ceil", "half_up"] = "ceil"


class Paths(_Section):
    """Folders, relative to the workspace root unless absolute."""

    data: Path = Path("data")
    templates: Path = Path("templates/attachments")
    retention: Path = Path("retention")
    archive: Path = Path("archive")
    state: Path = Path(".docgen")
    index: Path | None = None
    office_calendar: Path | None = None


class QueryColumns(_Section):
    """Column headers of the platform's query-log export, per field. A log must have
    the columns of ``timestamp``, ``account`` and ``subject_id`` and of one
    justification field at least (``doc_no`` … ``legal_basis``, R5.1); a field whose
    column it lacks is blank on every query, and a column no field names is ignored
    (:class:`docgen.records.QueryLog`)."""

    timestamp: str = "查詢日期時間"
    account: str = "查詢人員帳號"
    subject_id: str = "被查詢人身分證統一編號"
    subject_name: str = "被查詢人姓名"
    item: str = "查詢項目"
    doc_no: str = "公文文號"
    case_no: str = "案號"
    case_name: str = "案件名稱"
    purpose: str = "使用目的"
    legal_basis: str = "法令依據"
    unit: str = "查詢人員單位"


class PathRule(_Section):
    """An archive classification rule: a glob under the inbox → a retention category."""

    pattern: str
    category: str
    period: str | None = None
    unit: str | None = None


class Archive(_Section):
    """How the archive watcher takes and checks files."""

    stable_seconds: float = Field(default=5.0, ge=0)
    reconcile_minutes: float = Field(default=5.0, gt=0)
    path_rules: list[PathRule] = Field(default_factory=list)


class Agency(_Section):
    """An agency a 函 goes to: its 全銜 and 機關代碼 (a wrong 代碼 is worse than none:
    leave it blank until the document system's list gives it)."""

    name: str
    code: str = ""


class Correspondence(_Section):
    """What the 函 and 簽 need of the office (ISSUE 14 item 2): 機關代碼, 發文代字
    (with 字), address and contact lines, the signatory's title (the name is
    ``[office] director``), the default 速別 and 密等, the 分類號 of the 檔號, and the
    agencies and units the documents go to (R6.4, R6.5)."""

    agency_code: str = ""
    word: str = ""
    address: str = ""
    clerk: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    director_title: str = "處長"
    speed: Literal["普通件", "速件", "最速件"] = "普通件"
    secrecy: Literal["", "密", "機密", "極機密", "絕對機密"] = ""
    classification: str = Field(default="", pattern=r"^[0-9]*$")
    ethics_unit: str = "政風室"
    civil_affairs: Agency = Field(default_factory=lambda: Agency(name="臺北市政府民政局"))
    ethics_office: Agency = Field(default_factory=lambda: Agency(name="臺北市政府政風處"))
    database_authority: Agency = Field(default_factory=lambda: Agency(name="臺北市政府民政局"))


#: An e-mail address as docgen takes one (no package decides it): an ASCII local part
#: of RFC 5322's atom characters, dots only between them, and a domain of two or more
#: labels (letters, digits, inner hyphens) ending in a letter-only one.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def is_email_address(text: str) -> bool:
    """Whether ``text`` is an e-mail address docgen sends to (:data:`_EMAIL`; at most
    64 characters before the ``@`` and 254 in all)."""
    local = text.partition("@")[0]
    return len(text) <= 254 and len(local) <= 64 and _EMAIL.fullmatch(text) is not None


class Smtp(_Section):
    """The office's mail server for ``docgen remind`` (ISSUE 13 item 6): none unless
    ``host`` is given. The password is never in docgen.toml: ``password_env`` names
    the environment variable that holds it."""

    host: str = ""
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password_env: str = Field(default="", pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    sender: str = ""
    days_ahead: int = Field(default=7, ge=0, le=366)

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "password" in data:
            raise ValueError(
                _(
                    "password: never write the password in docgen.toml: name the "
                    "environment variable that holds it with password_env"
                )
            )
        return data

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if value and not is_email_address(value):
            raise ValueError(
                _("{value!r} is not an e-mail address (name@example.gov.tw)").format(value=value)
            )
        return value

    @model_validator(mode="after")
    def _complete(self) -> Smtp:
        if self.host and not self.sender:
            raise ValueError(_("sender: the address reminders come from must be given"))
        if self.username and not self.password_env:
            raise ValueError(_("password_env: name the environment variable holding the password"))
        if self.password_env.upper().startswith(ENV_PREFIX):
            raise ValueError(
                _(
                    "password_env: a {prefix}* variable is a configuration key: name another "
                    "(e.g. SMTP_PASSWORD)"
                ).format(prefix=ENV_PREFIX)
            )
        return self

    @property
    def effective_port(self) -> int:
        """The port given, else the security's usual one (465 for SSL, 587, 25)."""
        usual = {"ssl": 465, "starttls": 587, "none": 25}
        return self.port or usual[self.security]


#: An office key: lower-case ASCII, as a PostgreSQL schema name takes it unquoted.
OFFICE_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,40}$"


class Database(_Section):
    """The office database (ISSUE 10 item 5): SQLite under ``paths.state`` unless a URL
    names another (``postgresql+psycopg://user@host/db`` for a city's shared server;
    also ``DOCGEN_DATABASE_URL``). ``office`` keys this workspace's rows on a shared
    server: each office has a PostgreSQL schema of its own, ``office_<key>``."""

    url: str | None = None
    office: str = Field(default="office", pattern=OFFICE_KEY_PATTERN)


class Config(_Section):
    """The whole configuration of one workspace."""

    #: The language of messages, help and reports (ISSUE 11 item 1; docgen.i18n).
    language: Literal["zh_TW", "en"] = "zh_TW"
    office: Office = Field(default_factory=Office)
    units: list[Unit] = Field(default_factory=list)
    masking: Masking = Field(default_factory=Masking)
    sampling: Sampling = Field(default_factory=Sampling)
    paths: Paths = Field(default_factory=Paths)
    columns: QueryColumns = Field(default_factory=QueryColumns)
    archive: Archive = Field(default_factory=Archive)
    database: Database = Field(default_factory=Database)
    correspondence: Correspondence = Field(default_factory=Correspondence)
    smtp: Smtp = Field(default_factory=Smtp)

    @field_validator("units")
    @classmethod
    def _unique_units(cls, units: list[Unit]) -> list[Unit]:
        names = [u.name for u in units]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(_("unit listed twice: {units}").format(units=", ".join(duplicates)))
        return units

    def unit(self, name: str) -> Unit | None:
        """The configured unit called ``name``, if any."""
        return next((u for u in self.units if u.name == name), None)


class Workspace:
    """A workspace folder and its configuration, with every path resolved."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root.resolve()
        self.config = config

    def _resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.root / path

    @property
    def data_dir(self) -> Path:
        return self._resolve(self.config.paths.data)

    @property
    def templates_dir(self) -> Path:
        return self._resolve(self.config.paths.templates)

    @property
    def retention_dir(self) -> Path:
        return self._resolve(self.config.paths.retention)

    @property
    def archive_root(self) -> Path:
        return self._resolve(self.config.paths.archive)

    @property
    def state_dir(self) -> Path:
        """Where docgen keeps its own state (journal, office database, case key)."""
        return self._resolve(self.config.paths.state)

    @property
    def journal_path(self) -> Path:
        return self.state_dir / "journal.jsonl"

    @property
    def index_path(self) -> Path:
        """Where an earlier docgen kept its archive index (its own SQLite file), which
        ``docgen db upgrade`` takes over into the office database."""
        if self.config.paths.index is not None:
            return self._resolve(self.config.paths.index)
        return self.state_dir / "index.sqlite"

    @property
    def database_url(self) -> str:
        """The office database's SQLAlchemy URL (SQLite on local disk by default:
        WAL does not work over network file systems)."""
        if self.config.database.url:
            return self.config.database.url
        return f"sqlite:///{self.state_dir / 'office.sqlite'}"

    @property
    def office_calendar_path(self) -> Path | None:
        path = self.config.paths.office_calendar
        return None if path is None else self._resolve(path)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def environment_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """``DOCGEN_<SECTION>_<KEY>`` variables as a nested mapping (values parsed as TOML
    where they parse, else taken as text)."""
    sections = {
        name
        for name, info in Config.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
    }
    overrides: dict[str, Any] = {}
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX) or name in _ENV_NOT_CONFIG:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in sections if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(
                _("environment variable {name}: no such configuration section").format(name=name)
            )
        overrides.setdefault(section, {})[rest[len(section) + 1 :]] = _env_value(text)
    return overrides


#: pydantic's errors people meet most often in a docgen.toml, in docgen's words (and
#: so in the office's language); any other shows pydantic's own English message.
_PYDANTIC_MESSAGES = {
    "extra_forbidden": N_("unknown key"),
    "missing": N_("missing: this key must be given"),
    "int_type": N_("not a whole number"),
    "int_parsing": N_("not a whole number"),
    "int_from_float": N_("not a whole number"),
    "float_type": N_("not a number"),
    "float_parsing": N_("not a number"),
    "bool_type": N_("not true or false"),
    "bool_parsing": N_("not true or false"),
    "string_type": N_("not a text (write it in quotes)"),
    "list_type": N_("not a list (write it in [ ])"),
    "dict_type": N_("not a table of keys"),
    "model_type": N_("not a table of keys"),
    "greater_than": N_("must be more than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "string_too_short": N_("must be at least {min_length} character(s) long"),
    "string_too_long": N_("must be at most {max_length} character(s) long"),
    "string_pattern_mismatch": N_("does not match the pattern {pattern}"),
    "literal_error": N_("must be one of {expected}"),
}


def _message(item: Any) -> str:
    """One pydantic error's message: docgen's (translated), a validator's own (already
    translated, without pydantic's "Value error, "), or pydantic's."""
    context = item.get("ctx") or {}
    if item["type"] == "value_error" and "error" in context:
        return str(context["error"])
    known = _PYDANTIC_MESSAGES.get(item["type"])
    if known is None:
        return str(item["msg"])
    try:
        return translate(known).format(**{k: str(v) for k, v in context.items()})
    except (KeyError, IndexError, ValueError):
        return str(item["msg"])


def _describe(error: ValidationError, source: str) -> ConfigError:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        lines.append(f"{source}: {key}: {_message(item)}")
    return ConfigError(_("invalid configuration"), lines)


def load_config(
    root: Path,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Config:
    """Read the configuration of the workspace at ``root``: defaults → file → env → flags."""
    path = root / CONFIG_NAME
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(
                _("{file}: not valid TOML: {error}").format(file=path, error=error)
            ) from error
    try:
        Config.model_validate(data)
    except ValidationError as error:
        raise _describe(error, str(path)) from error
    env = environment_overrides(os.environ if environ is None else environ)
    merged = _merge(_merge(data, env), flags or {})
    try:
        return Config.model_validate(merged)
    except ValidationError as error:
        source = _("{file} (with DOCGEN_* environment and flags)").format(file=path)
        raise _describe(error, source) from error


def open_workspace(
    root: Path,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Workspace:
    """The workspace at ``root``; it need not have been initialised (defaults apply)."""
    return Workspace(root, load_config(root, environ, flags))


class WorkspaceNotFound(ConfigError):
    """No ``docgen.toml`` where a command looked for its workspace (ISSUE 11 item 4):
    in ``where`` (named with ``-w``) or, with ``searched``, there and in every folder
    above it."""

    def __init__(self, where: Path, searched: bool) -> None:
        self.where = where
        self.searched = searched
        if searched:
            message = _(
                "no {config} in {folder} or any folder above it: name a workspace "
                "with -w DIR, or make one with docgen init DIR"
            )
        else:
            message = _(
                "no {config} in {folder} (the workspace -w or DOCGEN_WORKSPACE names): "
                "name a folder that holds one, or make one with docgen init {folder}"
            )
        super().__init__(message.format(config=CONFIG_NAME, folder=where))


def find_workspace_root(start: Path) -> Path | None:
    """The nearest folder holding a ``docgen.toml``: ``start`` or one above it, as git
    finds its repository; None if there is none up to the file system's root."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def find_workspace(
    root: Path,
    *,
    search: bool,
    environ: Mapping[str, str] | None = None,
) -> Workspace:
    """The workspace a command works in. With ``search`` (no folder named), the nearest
    folder from ``root`` upwards that holds a ``docgen.toml``; without, ``root``
    itself, which must hold one. Never a folder without one: a command does not run
    on the built-in defaults where no workspace was made (:class:`WorkspaceNotFound`)."""
    found = find_workspace_root(root) if search else root
    if found is None or not (found / CONFIG_NAME).is_file():
        raise WorkspaceNotFound(root.resolve(), searched=search)
    return open_workspace(found, environ)
