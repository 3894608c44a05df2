"""Peer comparison of territories over every indicator, and the council sheet (PDF, CSV) built from it."""
