"""Hostile input for tests (ISSUE 9): :mod:`tests.hostile.generate` builds the files
(decompression bombs, damaged packages, hostile CSV), :mod:`tests.hostile.cli` runs the
real ``docgen`` on them in a child process under a memory cap."""
