"""The office's web application, ``docgen serve`` (ISSUE 12): server-rendered pages
over the same services as the CLI. :func:`create_app` builds it for a workspace."""

from docgen.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
