"""Every table of the office database, one module per capability; importing this
package registers them all on :data:`docgen.db.base.Base.metadata`."""

from docgen.db.models import archive

__all__ = ["archive"]
