"""Attachments 1–6: one schema per form, a safe docxtpl engine, fast batches, PDF.

Public API::

    fill_one(workspace, form, variant, data, out_dir, pdf=False) -> GeneratedDocument
    fill_rows(workspace, form, variant, rows, out_dir, source, options) -> BatchResult
    fill_file(workspace, form, variant, data_path, out_dir, options) -> BatchResult

``form`` is "1"–"6" (or 附件2, attachment2); ``variant`` is "monthly"/"half" for
附件4 and None/"" otherwise. Personal fields are masked by the engine (R8).
:mod:`docgen.forms.libreoffice` is public too: the LibreOffice conversion (DOCX → PDF,
ODT, with 標楷體 never falling back to a 黑體) other capabilities share.
"""

from docgen.forms.batch import BatchOptions, BatchResult, fill_file, fill_one, fill_rows
from docgen.forms.registry import FORMS, FormSpec, form_spec, resolve_variant
from docgen.forms.schemas import AuditRecord, CaseCheck, ChecklistItem, Finding, SampledCase
from docgen.forms.writer import GeneratedDocument

__all__ = [
    "FORMS",
    "AuditRecord",
    "BatchOptions",
    "BatchResult",
    "CaseCheck",
    "ChecklistItem",
    "Finding",
    "FormSpec",
    "GeneratedDocument",
    "SampledCase",
    "fill_file",
    "fill_one",
    "fill_rows",
    "form_spec",
    "resolve_variant",
]
