"""grade: autograding for numerical Python exercises."""

__version__ = "0.1.0"


def check(*names, path=None, timeout=None, start_method=None):
    """Check the saved notebook you are working in: ``from grader import check; check()``.

    ``check("adam")`` runs only the checks of one function (or one check by name). The result shows
    as a table in Jupyter and as text elsewhere; see :mod:`grader.notebook_check`. Importing ``grader``
    stays cheap: the grading machinery is imported only when this is called.
    """
    import os

    if os.environ.get("GRADE_IN_SANDBOX") == "1":  # a graded notebook calling check(): nothing to do
        return None
    from grader.notebook_check import check as check_notebook

    return check_notebook(*names, path=path, timeout=timeout, start_method=start_method)
