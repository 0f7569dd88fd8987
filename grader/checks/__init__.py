"""The instructor's vocabulary: checks, gradient checks, known mistakes, accepted variants."""

from grader.checks.api import Check, Gradient, Mistake, check, gradient_check, mistake, variant

__all__ = ["Check", "Gradient", "Mistake", "check", "gradient_check", "mistake", "variant"]
