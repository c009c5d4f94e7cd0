"""Batch jobs over files and folders (manifest, resume, failure report)."""
