"""Official correspondence (ISSUE 14): the 函 and 簽 the regulation calls for, as one
model (:mod:`~docgen.correspondence.document`) drafted from the facts
(:mod:`~docgen.correspondence.drafts`), printed (:mod:`~docgen.correspondence.printed`:
DOCX, ODT, PDF) and written for the document system (:mod:`~docgen.correspondence.exchange`:
the DI file of the 104-version DTDs). Public API for other capabilities:
:mod:`docgen.correspondence.stored`, what the office database knows of the documents
drafted and sent."""
