"""YAML as docgen reads it from files it did not write (ISSUE 9, Beyond the list).

``yaml.safe_load`` builds no objects, but it keeps aliases: ``*a`` repeated in nested
lists is a handful of bytes that expands exponentially as soon as anything walks or
prints the result (a billion laughs). No data file, sidecar or manifest of an office
needs aliases, so :func:`load_yaml` refuses them, as a :class:`yaml.YAMLError` naming
where (the callers already turn that into one line naming the file).
"""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing every alias (``*name``)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted", event.start_mark
            )
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)`` without aliases."""
    return yaml.load(text, Loader=_NoAliasLoader)
