"""grade: autograding for numerical Python exercises."""

__version__ = "0.1.0"
