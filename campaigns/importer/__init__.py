"""Lead import from CSV files (``dialer leads import``)."""

from campaigns.importer.run import (
    DUPLICATE_IN_FILE,
    IN_CAMPAIGN,
    ImportOptions,
    ImportSummary,
    import_leads,
)

__all__ = ["DUPLICATE_IN_FILE", "IN_CAMPAIGN", "ImportOptions", "ImportSummary", "import_leads"]
