"""One submission: written to a private folder, run in the sandbox, judged here in the grader's own process."""
