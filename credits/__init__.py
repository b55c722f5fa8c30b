"""Credit years and their rules, the hour ledger, declarations and reviews, records, reports."""
