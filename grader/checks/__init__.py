"""The instructor's vocabulary: checks, gradient checks, known mistakes, accepted variants."""

from grader.checks.api import Check, Gradient, Mistake, check, gradient_check, mistake, question, variant, wrong_answer

__all__ = ["Check", "Gradient", "Mistake", "check", "gradient_check", "mistake", "question", "variant", "wrong_answer"]
