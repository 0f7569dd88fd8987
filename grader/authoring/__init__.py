"""Before any student: `solutions/<name>/` rendered into the student pack (stubs, notebooks, expected outputs)."""
