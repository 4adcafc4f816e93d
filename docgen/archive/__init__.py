"""The archive (ISSUE 6). ARCH's modules: the index (:mod:`.db`, :mod:`.models`),
classification (:mod:`.classify`, :mod:`.qr`, :mod:`.issued`), the crash-safe ingest
(:mod:`.plan`, :mod:`.ingest`, :mod:`.placement`, :mod:`.recovery`), inbox passes and
the watcher (:mod:`.reconcile`, :mod:`.watcher`, :mod:`.context`), fixity
(:mod:`.fixity`) and rebuild (:mod:`.rebuild`). RET's: retention, reports, holds and
disposal, evidence checks (:mod:`.retention`, :mod:`.reports`, :mod:`.disposal`,
:mod:`.evidence`)."""
