"""Evidence packages: colour scans and their evidence merged into one archival PDF
with bookmarks, page labels, record metadata, optional PDF/A-2b and a SHA-256
manifest (R6.4). The public API is :func:`build_package` and :func:`inspect_package`.
"""

from docgen.packages.build import BuildOptions, BuildResult, build_package
from docgen.packages.inspect import Inspection, inspect_package
from docgen.packages.manifest import manifest_path, read_manifest
from docgen.packages.spec import PackageSpec, Part, read_spec_yaml, spec_from_options

__all__ = [
    "BuildOptions",
    "BuildResult",
    "Inspection",
    "PackageSpec",
    "Part",
    "build_package",
    "inspect_package",
    "manifest_path",
    "read_manifest",
    "read_spec_yaml",
    "spec_from_options",
]
