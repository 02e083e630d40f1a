"""ics-text: mine UK health and care policy publications."""
__version__ = "0.1.0"
