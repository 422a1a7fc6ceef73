"""The Flask CLI."""
