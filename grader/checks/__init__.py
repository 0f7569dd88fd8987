"""The instructor's vocabulary: checks, gradient checks, known mistakes, accepted variants,
the arguments a function may change, and the edge inputs a check should try."""

from grader.checks.api import (Check, Gradient, Mistake, check, gradient_check, mistake, question, variant,
                               wrong_answer)
from grader.checks.side_effects import may_modify, must_restore

__all__ = ["Check", "Gradient", "Mistake", "check", "gradient_check", "may_modify", "mistake", "must_restore",
           "question", "variant", "wrong_answer"]
