"""Downloader middlewares: page-level checks that run before any parser sees a response."""
