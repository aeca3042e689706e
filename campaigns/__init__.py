"""Campaigns, lead lists and lead import."""
