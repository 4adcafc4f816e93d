"""The case-key secret is written whole or not at all, and a short or empty key is
refused at load (ISSUE 9 item 11): an empty key would make masked IDs recoverable by
hashing guesses."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from docgen.audit.samples import CASE_KEY_BYTES, case_key_secret
from docgen.config import open_workspace
from docgen.errors import IntegrityError

_MAKE_KEY = """
import sys
from pathlib import Path
from docgen.audit.samples import case_key_secret
from docgen.config import open_workspace
from docgen.errors import DocgenError
try:
    case_key_secret(open_workspace(Path(sys.argv[1]), environ={}))
except DocgenError as error:
    print(error, file=sys.stderr)
    sys.exit(error.exit_code)
"""


def _small_disk() -> None:
    """In the child: files may not grow past 16 bytes, as on a disk that is full."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))


def test_a_full_disk_leaves_no_key_at_all(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", _MAKE_KEY, str(tmp_path)],
        preexec_fn=_small_disk,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "case-key" in run.stderr
    state = tmp_path / ".docgen"
    assert not (state / "case-key").exists()
    assert [p.name for p in state.iterdir()] == []  # no temporary file left either


@pytest.mark.parametrize("size", [0, 1, 31, 33])
def test_a_short_or_damaged_key_is_refused(tmp_path: Path, size: int) -> None:
    workspace = open_workspace(tmp_path, environ={})
    workspace.state_dir.mkdir(parents=True)
    (workspace.state_dir / "case-key").write_bytes(b"k" * size)
    with pytest.raises(IntegrityError, match=f"{size} bytes, not {CASE_KEY_BYTES}"):
        case_key_secret(workspace)


def test_a_new_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, environ={})
    first = case_key_secret(workspace)
    assert len(first) == CASE_KEY_BYTES and first != bytes(CASE_KEY_BYTES)
    assert case_key_secret(workspace) == first
    assert (workspace.state_dir / "case-key").stat().st_mode & 0o077 == 0
