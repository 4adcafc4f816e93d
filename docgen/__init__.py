"""docgen: forms, audit sampling, evidence packages and a retention archive for
the use of Taipei household-registration data (see ``shared/regulation/RULES.md``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("docgen")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
