"""The audit workflow: justification check, monthly and half-year samples, the
supervisors' sheets and results, the half-year audit record and the account review
(R4.1, R5.1, R5.2, R6.2–R6.5, R7.2)."""

from docgen.audit.outputs import list_row
from docgen.audit.results import REFERRAL_COLUMNS
from docgen.audit.store import referred_periods

__all__ = ["REFERRAL_COLUMNS", "list_row", "referred_periods"]
