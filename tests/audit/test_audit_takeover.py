"""Taking over the samples and results an earlier docgen kept under ``.docgen/samples/``
(ISSUE 10 item 2): every sample and its results land in the office database as they
were, on SQLite and PostgreSQL; a file not as docgen wrote it is refused naming it, and
a full ID written into one by hand never reaches the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from docgen.audit.legacy import legacy_audit, take_over_audit
from docgen.audit.samples import (
    Results,
    Sample,
    list_samples,
    load_results,
    results_path,
    sample_path,
)
from docgen.config import Workspace
from docgen.db import Database, open_database
from docgen.db.base import Base
from docgen.db.models.audit import DrawCase
from docgen.errors import DocgenError
from docgen.privacy import find_unmasked_ids
from tests.audit.cli import docgen

from .conftest import national_id
from .test_audit_redraw import fill, sheet

#: The fields of the files the previous docgen wrote (``docgen-sample/1``,
#: ``docgen-results/1``), in its order: its ``save_sample``/``save_results`` wrote
#: ``model.model_dump_json(indent=2) + "\n"`` of exactly these.
OLD_SAMPLE_FIELDS = (
    "format", "period", "kind", "unit", "drawn_at", "sources", "population",
    "population_sha256", "outside_period", "seed", "seed_given", "algorithm",
    "algorithm_text", "sample_size", "rule", "rule_en", "cases", "anomalies", "documents",
    "sheet_check",
)  # fmt: skip
OLD_RESULTS_FIELDS = (
    "format", "period", "unit", "read_at", "sheet", "cases", "documents", "referred",
)  # fmt: skip
#: What the database adds to a draw and its results (not in the old files).
NEW_FIELDS = {"drawn_by", "read_by"}


def old_file(model: Sample | Results, fields: tuple[str, ...]) -> str:
    data = model.model_dump(mode="json")
    return json.dumps({k: data[k] for k in fields}, ensure_ascii=False, indent=2) + "\n"


def old_save(ws: Workspace, sample: Sample, results: Results | None) -> None:
    """What the previous docgen's ``save_sample`` and ``save_results`` left."""
    target = sample_path(ws, sample.period, sample.unit)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(old_file(sample, OLD_SAMPLE_FIELDS), encoding="utf-8")
    if results is not None:
        path = results_path(ws, results.period, results.unit)
        path.write_text(old_file(results, OLD_RESULTS_FIELDS), encoding="utf-8")


@pytest.fixture
def legacy(office: Workspace, capsys: pytest.CaptureFixture[str]) -> Workspace:
    """An office whose October sample and 企劃室's results are files of the old docgen
    (written from a real draw and reading back)."""
    assert docgen(office, capsys, "audit", "sample", "--month", "2026-10")[0] == 0
    assert docgen(office, capsys, "audit", "results", str(fill(sheet(office))))[0] == 0
    for sample in list_samples(office, "2026-10"):
        old_save(office, sample, load_results(office, "2026-10", sample.unit))
    return office


def scratch(url: str) -> Database:
    import docgen.db.models  # noqa: F401  (registers every table)

    db = Database(url, "office")
    db.ensure_schema()
    Base.metadata.create_all(db.engine)
    return db


def comparable(model: Sample | Results) -> dict[str, object]:
    return model.model_dump(exclude=NEW_FIELDS)


def test_the_samples_folder_moves_into_the_database(legacy: Workspace, database_url: str) -> None:
    assert legacy_audit(legacy) == [str(legacy.state_dir / "samples")]
    with scratch(database_url) as db:
        with db.connect() as conn:
            take_over_audit(conn, legacy)
        with open_database(legacy) as before:
            expected = list_samples(legacy, db=before)
            results = {s.unit: load_results(legacy, "2026-10", s.unit, before) for s in expected}
        found = list_samples(legacy, db=db)
        assert [comparable(s) for s in found] == [comparable(s) for s in expected]
        assert {s.number for s in found} == {1} and {s.drawn_by for s in found} == {""}
        for unit, result in results.items():
            taken = load_results(legacy, "2026-10", unit, db)
            assert (taken and comparable(taken)) == (result and comparable(result))
        assert results["企劃室"] is not None and results["市場管理科"] is None


def test_no_sample_no_legacy(office: Workspace) -> None:
    assert legacy_audit(office) == []
    (office.state_dir / "samples" / "2026-10").mkdir(parents=True)
    assert legacy_audit(office) == []


def _edit(ws: Workspace, **changes: object) -> Path:
    """企劃室's sample file with ``changes`` made by hand."""
    path = sample_path(ws, "2026-10", "企劃室")
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "subject_id":
            data["cases"][0]["subject_id"] = value
        else:
            data[key] = value
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_full_id_written_into_a_file_is_masked(legacy: Workspace, tmp_path: Path) -> None:
    _edit(legacy, subject_id=national_id("K", 77))
    with scratch(f"sqlite:///{tmp_path / 'db.sqlite'}") as db:
        with db.connect() as conn:
            take_over_audit(conn, legacy)
        with db.session() as session:
            ids = [c.subject_id for c in session.scalars(select(DrawCase))]
    assert find_unmasked_ids(" ".join(ids)) == [] and any(i.startswith("K1") for i in ids)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"unit": "市場管理科"}, "its unit is not the one its name was made from"),
        ({"period": "2026-11"}, "a sample of '2026-11' in the folder of 2026-10"),
        ({"kind": "half"}, "kind 'half' is not that of 2026-10"),
        ({"format": "docgen-sample/9"}, "format 'docgen-sample/9'"),
        ({"cases": "many"}, "not a readable docgen sample file"),
    ],
)
def test_a_file_not_as_docgen_wrote_it_is_refused(
    changes: dict[str, object], words: str, legacy: Workspace, tmp_path: Path
) -> None:
    path = _edit(legacy, **changes)
    with scratch(f"sqlite:///{tmp_path / 'db.sqlite'}") as db:
        with pytest.raises(DocgenError, match=words) as refused, db.connect() as conn:
            take_over_audit(conn, legacy)
        assert str(path) in str(refused.value)
        assert list_samples(legacy, db=db) == []
