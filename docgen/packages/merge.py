"""Merging PDFs with qpdf's job interface through pikepdf.

``qpdf --empty --pages A.pdf 1-z B.pdf 1-z … -- OUT.pdf`` streams each page's data
from its file to the output as it writes, so memory does not grow with the
package (pikepdf's in-process page copying would hold every page at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from docgen.errors import ExternalToolError
from docgen.i18n import _


@dataclass(frozen=True)
class MergeInput:
    """A PDF to merge whole, and the password that opens it ("" for none)."""

    path: Path
    password: str = ""


def merge_arguments(
    inputs: Sequence[MergeInput], target: Path, object_streams: str = "preserve"
) -> list[str]:
    """The qpdf command line that merges ``inputs`` (all pages, in order) into ``target``;
    ``object_streams="disable"`` gives a classic cross-reference table. Stream data is
    copied as it is, never inflated (``--decode-level=none``; ISSUE 9 item 3)."""
    args = ["qpdf", "--empty", f"--object-streams={object_streams}", "--decode-level=none"]
    args.append("--pages")
    for item in inputs:
        args.append(str(item.path.resolve()))
        if item.password:
            args.append(f"--password={item.password}")
        args.append("1-z")
    return [*args, "--", str(target.resolve())]


def merge_pdfs(
    inputs: Sequence[MergeInput], target: Path, object_streams: str = "preserve"
) -> None:
    """Merge ``inputs`` into ``target`` with qpdf's job interface (no page copy in Python)."""
    job = pikepdf.Job(merge_arguments(inputs, target, object_streams))
    try:
        job.run()
    except (pikepdf.PdfError, OSError, RuntimeError) as error:
        raise ExternalToolError(
            _("qpdf could not merge the package: {error}").format(error=error)
        ) from error
    if job.exit_code not in (0, pikepdf.Job.EXIT_WARNING):
        raise ExternalToolError(
            _("qpdf could not merge the package (exit code {code})").format(code=job.exit_code)
        )
