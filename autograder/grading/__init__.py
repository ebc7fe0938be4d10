"""Grading: a submission and a problem set's checks in, one ``Result`` out (and many, for batches)."""
