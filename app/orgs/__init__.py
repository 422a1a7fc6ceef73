"""Organisations: the tree of federations, unions and branches, kept as a closure table."""
