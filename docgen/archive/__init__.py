"""The archive: the index (:mod:`.db`, :mod:`.models`), ingest of the inbox
(:mod:`.ingest`, :mod:`.classify`), the watcher (:mod:`.watcher`), fixity
(:mod:`.fixity`), tombstones (:mod:`.tombstones`) and rebuild (:mod:`.rebuild`);
retention, reports, disposal and evidence checks (RET's modules)."""
