"""Compliance: rules data, calling windows, do-not-call, consent, frequency caps, abandonment."""
