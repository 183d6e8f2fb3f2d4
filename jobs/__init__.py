"""Scheduled and background work: posts on time, announcement refreshes, delivery."""
