"""Many submissions: entries from a folder or LMS download, graded by a worker pool into the gradebook, one row each."""
