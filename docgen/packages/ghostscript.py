"""The one wrapper around Ghostscript (Debian's ``gs``): rewriting an evidence PDF
as PDF/A-2 (fonts embedded, colour converted to RGB). Only evidence goes through
here, on ``--repair-evidence``; scans and signed forms never do."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from docgen.errors import ExternalToolError
from docgen.i18n import _

_TIMEOUT_SECONDS = 600


def _gs() -> str:
    found = shutil.which("gs")
    if found is None:
        raise ExternalToolError(
            _(
                "Ghostscript (gs) is not installed; --repair-evidence needs it "
                "(apt install ghostscript)"
            )
        )
    return found


def repair_to_pdfa(source: Path, target: Path, password: str = "") -> None:
    """Rewrite ``source`` as a PDF/A-2 candidate at ``target`` with Ghostscript."""
    args = [
        _gs(), "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite",
        "-dPDFA=2", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB",
        "-dEmbedAllFonts=true", f"-sOutputFile={target}",
    ]  # fmt: skip
    if password:
        args.append(f"-sPDFPassword={password}")
    try:
        done = subprocess.run(
            [*args, str(source)], capture_output=True, text=True, timeout=_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as error:
        raise ExternalToolError(
            _("{file}: Ghostscript took too long repairing it").format(file=source)
        ) from error
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else _("exit code {code}").format(code=done.returncode)
        raise ExternalToolError(
            _("{file}: Ghostscript could not repair it ({reason})").format(
                file=source, reason=reason
            )
        )
