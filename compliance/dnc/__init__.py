"""Do-not-call lists: national and state registries, company and campaign lists.

The rest of the system uses :func:`open_lookup` (a :class:`~compliance.api.DncLookup` with a
batch :meth:`~CombinedDncLookup.lookup_many`) and, to record opt-outs, :func:`add_company_dnc`.
"""

from compliance.dnc.build import ImportReport, import_registry
from compliance.dnc.entries import (
    add_campaign_dnc,
    add_company_dnc,
    add_dnc,
    dnc_history,
    list_dnc,
    remove_dnc,
)
from compliance.dnc.lookup import CombinedDncLookup, open_lookup
from compliance.dnc.models import DncEntry
from compliance.dnc.registry import Registry, list_name_for, registry_path

__all__ = [
    "CombinedDncLookup",
    "DncEntry",
    "ImportReport",
    "Registry",
    "add_campaign_dnc",
    "add_company_dnc",
    "add_dnc",
    "dnc_history",
    "import_registry",
    "list_dnc",
    "list_name_for",
    "open_lookup",
    "registry_path",
    "remove_dnc",
]
