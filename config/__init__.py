"""Typed settings read from the environment."""
