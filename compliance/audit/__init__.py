"""The compliance audit: the hash-chained call log, its verification, queries and reports.

The engine appends one :class:`~compliance.api.CallRecord` per final attempt through
:class:`SqlCallLog`; :func:`verify_log` proves the log was not edited, and names what was.
"""

from compliance.audit.log import SqlCallLog, open_call_log
from compliance.audit.models import CallLogHead, CallLogRow
from compliance.audit.scan import VerifyResult, verify_log
from compliance.audit.verify import ChainVerifier, Finding, FindingKind

__all__ = [
    "CallLogHead",
    "CallLogRow",
    "ChainVerifier",
    "Finding",
    "FindingKind",
    "SqlCallLog",
    "VerifyResult",
    "open_call_log",
    "verify_log",
]
