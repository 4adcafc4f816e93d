"""Building an evidence package, on record (ISSUE 10 item 3)."""

from __future__ import annotations

from dataclasses import asdict

from docgen.config import Workspace
from docgen.journal import Journal
from docgen.packages import BuildOptions, BuildResult, PackageSpec, build_package
from docgen.packages.build import Progress


def build_evidence_package(
    workspace: Workspace, spec: PackageSpec, options: BuildOptions, progress: Progress
) -> BuildResult:
    """Merge the scans and evidence of ``spec`` into one archival PDF with its manifest
    (R6.2–R6.4), then journal what went in and what came out."""
    result = build_package(spec, options, progress)
    Journal(workspace.journal_path, workspace.root).append(
        "package build",
        inputs=[s.path for s in result.sources],
        outputs=[result.output, result.manifest],
        hashes={s.path: s.sha256 for s in result.sources} | {result.output: result.sha256},
        details={
            "metadata": asdict(result.metadata),
            "pages": result.pages,
            "pdfa": options.pdfa,
            "notes": result.notes,
        },
    )
    return result
