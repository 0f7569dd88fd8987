"""After grading, for the instructor: pairs of submissions likely shared, ranked from the gradebook; no score changes."""
