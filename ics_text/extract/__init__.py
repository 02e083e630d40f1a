"""Extraction: spaCy components that find quotes, statistics and recommendations in a document's text."""
