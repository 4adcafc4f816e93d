"""More hostile input for the forms engine (review of ISSUE 9): data nested 100,000
deep, control characters in a unit's name, templates that pass every rule but that
``fill`` refuses while rendering, and a batch killed with ``SIGKILL`` (its staging
folder holds filled forms: personal data)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.config import open_workspace
from docgen.forms.check import EXAMPLES, check_template, example_records
from docgen.forms.environment import make_environment
from docgen.forms.registry import FORMS
from docgen.forms.staging import LOCK_NAME, PREFIX, Staging, _sweep
from tests.forms.conftest import EXAMPLE
from tests.forms.hostile_builders import PLEDGE, PLEDGE_FIELDS, template
from tests.forms.test_forms_hostile import BENIGN, HOSTILE, MORE_HOSTILE, _fill_refuses
from tests.hostile.cli import assert_one_line_error, run_docgen

DEEP = 100_000
OFFICIAL_4 = (
    Path(__file__).resolve().parents[2]
    / "docgen/data/templates/attachments/附件4_案件抽查表_月抽查.docx"
)

#: The CLI tests name tmp_path / "ws" with -w: it must be a workspace (ISSUE 11 item 4).
pytestmark = pytest.mark.usefixtures("ws_workspace")

# --- data nested too deeply -----------------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        ("deep.json", "[" * DEEP + "]" * DEEP),
        ("deep.yaml", "[" * DEEP + "]" * DEEP),
        ("deep-cases.json", '{"cases": ' + "[" * DEEP + "]" * DEEP + "}"),
        ("deep-object.json", '{"a": ' * 500 + "1" + "}" * 500),
        ("huge-number.json", '{"seed": ' + "9" * 5000 + "}"),
        ("no-such-day.yaml", "check_date: 2026-02-30\n"),
    ],
)
def test_fill_with_hostile_data_is_one_line(tmp_path: Path, name: str, text: str) -> None:
    data = tmp_path / name
    data.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    done = run_docgen(
        [
            "-w",
            str(tmp_path / "ws"),
            "forms",
            "fill",
            "4",
            str(data),
            "--variant",
            "m",
            "-d",
            str(out),
        ]
    )
    assert_one_line_error(done, data)
    assert not out.exists()


# --- a unit's name XML cannot hold ------------------------------------------------------


def test_fill_with_control_characters_in_the_unit(tmp_path: Path) -> None:
    import yaml

    example = yaml.safe_load((EXAMPLE / "附件4_月抽查.yaml").read_text(encoding="utf-8"))
    example["unit"] = "企劃\x1b室\x00"
    data = tmp_path / "d.json"
    data.write_text(json.dumps(example, ensure_ascii=False, default=str), encoding="utf-8")
    out = tmp_path / "out"
    done = run_docgen(
        [
            "-w",
            str(tmp_path / "ws"),
            "forms",
            "fill",
            "4",
            str(data),
            "--variant",
            "m",
            "-d",
            str(out),
        ]
    )
    assert done.code == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    (docx,) = out.glob("*.docx")
    assert not any(ord(char) < 32 for char in docx.name), docx.name
    with zipfile.ZipFile(docx) as package:
        custom = package.read("docProps/custom.xml").decode("utf-8")
    assert "企劃\ufffd室\ufffd" in custom


# --- templates fill refuses while rendering --------------------------------------------

#: Each passes every rule of :mod:`docgen.forms.policy`; fill refuses it while rendering.
RENDER_HOSTILE = [
    "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
    "{% set s = 'xxxxxxxxxxxxxxxx' %}" + "{% set s = s + s %}" * 22 + "{{ s|length }}",
    "{% set s = [1, 2, 3, 4, 5, 6, 7, 8] %}" + "{% set s = s + s %}" * 23 + "{{ s|length }}",
]


def _official_4_with(path: Path, snippet: str) -> Path:
    document = Document(str(OFFICIAL_4))
    document.add_paragraph(snippet)
    document.save(str(path))
    return path


@pytest.mark.parametrize("snippet", RENDER_HOSTILE[:2])
def test_check_refuses_what_fill_refuses_while_rendering(tmp_path: Path, snippet: str) -> None:
    hostile = _official_4_with(tmp_path / "official_4.docx", snippet)
    ws = str(tmp_path / "ws")
    check = run_docgen(["-w", ws, "forms", "check", "4", str(hostile), "--variant", "m"])
    assert_one_line_error(check, hostile)
    assert "render" in check.stdout and "refused" in check.stdout, check.stdout
    data = EXAMPLE / "附件4_月抽查.yaml"
    out = tmp_path / "out"
    fill = run_docgen(
        [
            "-w",
            ws,
            "forms",
            "fill",
            "4",
            str(data),
            "--variant",
            "m",
            "-d",
            str(out),
            "--template",
            str(hostile),
        ]
    )
    assert_one_line_error(fill, hostile)
    assert not out.exists()


def test_the_official_templates_pass_the_trial_render() -> None:
    attachments = OFFICIAL_4.parent
    for (key, variant), _ in EXAMPLES.items():
        spec = FORMS[key]
        path = attachments / spec.template_name(variant)
        issues, _ = check_template(spec, path, make_environment(), variant or None)
        assert not [i for i in issues if i.severity == "error"], (key, variant, issues)
        assert example_records(spec, variant or None)[1]


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.sampled_from(BENIGN + HOSTILE + MORE_HOSTILE + RENDER_HOSTILE), min_size=1, max_size=3
    )
)
def test_check_refuses_exactly_what_fill_refuses_render_time_too(
    tmp_path: Path, snippets: list[str]
) -> None:
    """The property of ``test_forms_hostile``, with templates only a render shows."""
    case = Path(tempfile.mkdtemp(dir=tmp_path))
    path = template(case / "t.docx", PLEDGE_FIELDS, *snippets)
    workspace = open_workspace(case / "ws", environ={})
    issues, _ = check_template(FORMS["3"], path, make_environment())
    refused_by_check = any(issue.severity == "error" for issue in issues)
    assert refused_by_check == _fill_refuses(workspace, path, case / "out"), (snippets, issues)
    assert refused_by_check == any(s not in BENIGN for s in snippets)


# --- a killed batch ---------------------------------------------------------------------


def _pledges(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(PLEDGE))
        writer.writeheader()
        for number in range(count):
            writer.writerow({**PLEDGE, "account": f"plan{number:05d}"})
    return path


def _staged_docx(staging: Path) -> list[Path]:
    return list(staging.glob(f"{PREFIX}*/*.docx")) if staging.exists() else []


def test_a_killed_fill_is_swept_by_the_next(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    staging = ws / ".docgen" / "staging"
    data = _pledges(tmp_path / "pledges.csv", 20_000)
    command = [sys.executable, "-m", "docgen", "-w", str(ws), "forms", "fill", "3", str(data)]
    child = subprocess.Popen(
        [*command, "-d", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while len(_staged_docx(staging)) < 50 and child.poll() is None:
            assert time.monotonic() < deadline, "the batch never started writing"
            time.sleep(0.05)
        assert child.poll() is None, "the batch finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    left = {path.parent for path in _staged_docx(staging)}
    assert len(left) == 1 and len(_staged_docx(staging)) >= 50  # personal data left…
    assert not (tmp_path / "out").exists()
    small = _pledges(tmp_path / "one.csv", 1)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "docgen",
            "-w",
            str(ws),
            "forms",
            "fill",
            "3",
            str(small),
            "-d",
            str(tmp_path / "out2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not any(folder.exists() for folder in left)  # …until the next batch
    assert list(staging.iterdir()) == []


def test_a_live_batch_is_not_swept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with Staging(tmp_path / "out", state) as first:
        (first.path / "a.docx").write_bytes(b"x")
        with Staging(tmp_path / "out", state) as second:  # same process: still locked
            assert first.path.exists() and second.path != first.path
        _sweep(first.root, PREFIX)
        assert (first.path / "a.docx").exists()
    assert not first.path.exists()


def test_a_folder_whose_lock_is_free_is_swept_even_if_its_pid_is_alive(tmp_path: Path) -> None:
    """A reused process ID (here: this process's own) does not keep a folder."""
    root = tmp_path / "staging"
    reused = root / f"{PREFIX}{os.getpid()}-abc123"
    reused.mkdir(parents=True)
    (reused / LOCK_NAME).touch()
    (reused / "a.docx").write_bytes(b"x")
    unlocked_dead = root / f"{PREFIX}999999999-old"  # an older docgen's folder, no lock
    unlocked_dead.mkdir()
    unlocked_alive = root / f"{PREFIX}{os.getpid()}-new"  # no lock, process alive: kept
    unlocked_alive.mkdir()
    being_made = root / f"{PREFIX}999999999-xyz.new"  # not yet locked: kept for a day
    being_made.mkdir()
    _sweep(root, PREFIX)
    assert not reused.exists() and not unlocked_dead.exists()
    assert unlocked_alive.exists() and being_made.exists()


def test_forked_writers_do_not_hold_the_lock(tmp_path: Path) -> None:
    """A ``--jobs`` writer (forked) left behind by a killed batch must not keep the
    batch's folder locked: the child closes its copy of the lock at once."""
    with Staging(tmp_path / "out", tmp_path / "state") as staging:
        assert staging._lock is not None
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child)
            try:
                os.fstat(staging._lock)
                answer = b"0"
            except OSError:
                answer = b"1"
            os.write(write, answer)
            os._exit(0)
        os.close(write)
        answer = os.read(read, 1)
        os.close(read)
        os.waitpid(pid, 0)
        assert answer == b"1"
        os.fstat(staging._lock)  # still open (and held) in this process
