"""The web application's factory (ISSUE 12 item 1): ``create_app(workspace)``.

Flask with Flask-Login (sessions), Flask-WTF (CSRF on every POST) and Flask-Babel
(the same zh_TW catalogs as the CLI), served by gunicorn or waitress
(:mod:`docgen.web.server`).
No module-level application: the factory builds one per workspace, opens the office
database once, and registers the two blueprints (:mod:`docgen.web.auth`,
:mod:`docgen.web.pages`). Before every request it chooses the language, ends an idle
session, applies the permission table (:func:`docgen.web.permissions.enforce`) and
sends a person whose password must change to the change page; after it, it adds the
security headers and journals a view of case data. Errors are a plain page in the
office's language, never a traceback.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel
from flask_login import LoginManager, UserMixin, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from docgen.calendar import format_roc, format_roc_short
from docgen.config import Workspace
from docgen.db import Database, open_database
from docgen.errors import DocgenError
from docgen.i18n import (
    LOCALE_DIR,
    N_,
    _,
    current_language,
    language_code,
    ngettext,
    translate,
    use_language,
)
from docgen.journal import Journal
from docgen.report import roc_text
from docgen.services.users import ROLES, UserInfo, get_user
from docgen.uploads import MAX_EVIDENCE_BYTES, MAX_LOG_BYTES
from docgen.web import permissions
from docgen.web.facts import Facts

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

#: At most this many seconds between two writes of a session's last-seen time.
SEEN_EVERY = 60.0
#: The secret that signs session cookies, made once per workspace (mode 0600).
SECRET_FILE = "web-secret.key"
#: The content security policy: nothing inline, nothing from elsewhere, no frames.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: The body of a form without a file.
FORM_BYTES = 64 * 1024
#: Each upload form's endpoint → the largest file it takes.
UPLOAD_LIMITS = {
    "spot_check.upload": MAX_LOG_BYTES,
    "spot_check.mark": MAX_EVIDENCE_BYTES,
    "half_year.mark": MAX_EVIDENCE_BYTES,
}
_ERROR_TITLES = {
    400: N_("The request was not accepted"),
    403: N_("You may not open this page"),
    404: N_("There is no such page"),
    405: N_("The request was not accepted"),
    409: N_("docgen cannot show this yet"),
    413: N_("The file is too large"),
    500: N_("Something went wrong"),
}


@dataclass(frozen=True)
class WebSettings:
    """How the application runs. ``secure_cookies`` may be off only for tests over
    http on the loopback (:mod:`docgen.cli.serve` refuses it on other addresses);
    ``language`` overrides DOCGEN_LANG and docgen.toml; ``csrf`` is off only in unit
    tests of a view, never in a server."""

    secure_cookies: bool = True
    idle_timeout: timedelta = timedelta(minutes=15)
    language: str | None = None
    secret_key: bytes | None = None
    csrf: bool = True
    #: How long the obligations calendar and the duties due are kept between requests
    #: (:mod:`docgen.web.facts`); 0 builds them for every request.
    facts_ttl: timedelta = timedelta(seconds=30)
    #: Reverse proxies in front (``docgen serve --behind-proxy``): their
    #: X-Forwarded-For and X-Forwarded-Proto are trusted for that many hops, so the
    #: client's own address is what the sign-in throttle and the journal see. 0 (the
    #: default): no header is trusted.
    proxies: int = 0
    #: Processes serving the application (``docgen serve --workers``): each counts
    #: its share of the sign-in throttle's failures (:mod:`docgen.web.auth`).
    processes: int = 1


@dataclass
class WebState:
    """What every request of one application uses: ``db`` for what writes (signing
    in, a password), ``reader`` — the same database, read-only
    (:meth:`docgen.db.Database.for_reading`) — for every page that only reads, so
    that fifty readers wait for no write lock."""

    workspace: Workspace
    db: Database
    reader: Database
    settings: WebSettings
    facts: Facts


def state() -> WebState:
    """The running application's workspace, database and settings."""
    found: WebState = current_app.extensions["docgen"]
    return found


class Principal(UserMixin):
    """The signed-in person, as Flask-Login sees them. Their session id carries the
    session version, so that a sign-out, a password change or disabling ends every
    session of theirs at once."""

    def __init__(self, info: UserInfo) -> None:
        self.info = info
        self.username = info.username
        self.display_name = info.display_name or info.username
        self.unit = info.unit
        self.roles = info.roles

    def get_id(self) -> str:
        return f"{self.info.id}:{self.info.session_version}"


@login_manager.user_loader
def _load_user(session_id: str) -> Principal | None:
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    info = get_user(state().reader, int(user_id))
    if info is None or not info.active or info.session_version != int(version):
        return None
    return Principal(info)


def record(command: str, details: dict[str, Any]) -> None:
    """Journal a web action with who did it (the signed-in person's username)."""
    who = current_user.username if current_user.is_authenticated else ""
    workspace = state().workspace
    Journal(workspace.journal_path, workspace.root).append(
        command, details={"user": who, **details}
    )


def _secret(workspace: Workspace) -> bytes:
    """The workspace's cookie-signing secret, made on first use."""
    path = workspace.state_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(32))
    return path.read_bytes()


def _language(settings: WebSettings, workspace: Workspace) -> str:
    for given in (settings.language, os.environ.get("DOCGEN_LANG"), workspace.config.language):
        code = language_code(given) if given else None
        if code:
            return code
    return "zh_TW"


def create_app(
    workspace: Workspace, settings: WebSettings | None = None, *, db: Database | None = None
) -> Flask:
    """The web application over ``workspace`` (its office database opened here unless
    given)."""
    settings = settings or WebSettings()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=settings.secret_key or _secret(workspace),
        SESSION_COOKIE_NAME="docgen_session",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=settings.idle_timeout,
        # Sent again only when it changes (_end_idle_session: about once a minute).
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_ENABLED=settings.csrf,
        WTF_CSRF_SSL_STRICT=True,
        # Forms are small; an upload form, for a signed-in person, gets its own limit
        # (UPLOAD_LIMITS) before anything — the CSRF check included — reads the body.
        MAX_CONTENT_LENGTH=FORM_BYTES,
        TEMPLATES_AUTO_RELOAD=False,
    )
    if settings.proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies
        )
    language = _language(settings, workspace)
    db = db or open_database(workspace)
    app.extensions["docgen"] = WebState(
        workspace,
        db,
        db.for_reading(),
        settings,
        Facts(settings.facts_ttl.total_seconds()),
    )

    app.before_request(_upload_limit)  # first: before CSRFProtect parses a form
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = N_("Sign in to open this page.")
    login_manager.localize_callback = translate
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(
        app,
        default_locale=language,
        default_domain="docgen",
        default_translation_directories=str(LOCALE_DIR),
        locale_selector=current_language,
    )
    # The templates translate with docgen.i18n, as the CLI does ({name} placeholders).
    app.jinja_env.install_gettext_callables(_, ngettext, newstyle=False)  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        can=_can,
        role_name=_role_name,
        translate=translate,
        office=workspace.config.office.name,
        language=lambda: current_language().replace("_", "-"),
    )
    app.jinja_env.filters.update(roc=roc_short, roc_long=_roc_long, cell=_cell)

    from docgen.web.account_requests import bp as account_requests_bp
    from docgen.web.account_review import bp as account_review_bp
    from docgen.web.auth import bp as auth_bp
    from docgen.web.calendar_feeds import bp as calendar_feeds_bp
    from docgen.web.casework import bp as casework_bp
    from docgen.web.destruction import bp as destruction_bp
    from docgen.web.half_year import bp as half_year_bp
    from docgen.web.inbox import bp as inbox_bp
    from docgen.web.pages import bp as pages_bp
    from docgen.web.print_pack import bp as print_pack_bp
    from docgen.web.records import bp as records_bp
    from docgen.web.reports import bp as reports_bp
    from docgen.web.scan_package import bp as scan_package_bp
    from docgen.web.spot_check import bp as spot_check_bp

    blueprints = (
        *(auth_bp, pages_bp, casework_bp, spot_check_bp),
        *(reports_bp, records_bp, destruction_bp, account_requests_bp, account_review_bp),
        calendar_feeds_bp,
        half_year_bp,
        inbox_bp,
        print_pack_bp,
        scan_package_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    @app.before_request
    def _choose_language() -> None:
        use_language(language)

    app.before_request(_end_idle_session)
    app.before_request(permissions.enforce)
    app.before_request(_password_first)
    app.after_request(_headers)
    app.after_request(_journal_view)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DocgenError, _docgen_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def _upload_limit() -> None:
    """Raise the body limit of an upload form for a signed-in person (anyone else, and
    every other form, stays at :data:`FORM_BYTES`): a file too large is refused (413)
    before it is read."""
    limit = UPLOAD_LIMITS.get(request.endpoint or "")
    if limit is not None and current_user.is_authenticated:
        request.max_content_length = limit + FORM_BYTES


def _role_name(key: str) -> str:
    return translate(ROLES.get(key) or key)


def _can(key: str) -> bool:
    return current_user.is_authenticated and permissions.may_open(current_user.roles, key)


def roc_short(value: date | datetime | None) -> str:
    """A date (``115/10/01``) or a time (``115/10/01 14:05``) as the pages show it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{format_roc_short(value.date())} {value:%H:%M}"
    return format_roc_short(value)


def _roc_long(value: date | None) -> str:
    return "" if value is None else format_roc(value)


def _cell(value: Any, is_date: bool = False) -> str:
    """A report's cell on a page, as the table and CSV show it (dates ROC)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return roc_text(value)
    if isinstance(value, date):
        return roc_text(value) if is_date else value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v, is_date) for v in value)
    return str(value)


def seen_every(idle_timeout: timedelta) -> float:
    """How stale, in seconds, the time a session was last seen may grow before it is
    written again: a minute, or a fifteenth of a shorter timeout."""
    return min(SEEN_EVERY, idle_timeout.total_seconds() / 15)


def _end_idle_session() -> Any:
    """Sign out a person idle longer than the timeout (the signed cookie also expires
    by then: Flask checks its age, and it was signed when ``seen`` was written).

    ``seen`` is written only when it is older than :func:`seen_every` (a minute), not
    on every request: writing it changes the session, and a changed session is signed
    and sent again. So a person is signed out after at most the timeout without
    activity — at least the timeout less a minute — and the cookie goes out about
    once a minute, not with every page."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None  # a stylesheet needs no one's session (nor a database read)
    now = time.time()
    seen = session.get("seen")
    timeout = state().settings.idle_timeout
    limit = timeout.total_seconds()
    if isinstance(seen, int | float) and now - seen > limit:
        logout_user()
        session.clear()
        minutes = int(limit // 60)
        flash(
            _("You were signed out after {minutes} minutes without activity.").format(
                minutes=minutes
            )
        )
        return redirect(url_for("auth.sign_in"))
    if not isinstance(seen, int | float) or now - seen >= seen_every(timeout):
        session["seen"] = now
    return None


def _password_first() -> Any:
    """An initial, reset or expired password is changed before anything else."""
    if (
        request.endpoint != "static"
        and current_user.is_authenticated
        and session.get("must_change")
        and request.endpoint not in ("auth.change_password", "auth.sign_out", "static")
    ):
        return redirect(url_for("auth.change_password"))
    return None


def _headers(response: Response) -> Response:
    headers = response.headers
    # A download of a file someone uploaded sets a stricter one (sandbox) itself.
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # same-origin: Flask-WTF's HTTPS check needs the Referer of our own pages.
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if state().settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _journal_view(response: Response) -> Response:
    """Every view of case data and every download is on record: who, what, when."""
    page = g.get("page")
    if page is not None and page.case_data and response.status_code == 200:
        details = {"page": permissions.ENDPOINTS.get(request.endpoint or "", "")}
        if g.get("unit"):
            details["unit"] = g.unit
        if g.get("download"):
            details.update(g.download)
            record("web download", details)
        else:
            record("web view", details)
    return response


def _page(code: int, message: str = "") -> tuple[str, int]:
    title = translate(_ERROR_TITLES.get(code, _ERROR_TITLES[500]))
    return render_template("error.html", code=code, title=title, message=message), code


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return _page(
        400,
        _(
            "The form was not accepted: it expired or did not come from this page. "
            "Go back, reload the page and try again."
        ),
    )


def _http_error(error: HTTPException) -> Any:
    if error.code is None or error.code < 400:
        return error
    return _page(error.code)


def _docgen_error(error: DocgenError) -> tuple[str, int]:
    return _page(409, str(error))


def _unexpected(error: Exception) -> Any:
    if isinstance(error, HTTPException):
        return _http_error(error)
    # Only the kind of error and where: a message may quote personal data.
    current_app.logger.error("unexpected %s on %s", type(error).__name__, request.endpoint)
    return _page(500, _("The error was recorded. Tell the administrator when it happened."))
