"""Collect: parse local files and fetched pages into Documents; crawl publishers' sites."""
