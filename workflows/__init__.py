"""Workflow definitions: readable data plus small named guards."""
