"""A small reference used by the golden-file test of the templates."""

import numpy as np


def scale(x, factor=2.0):
    """Multiply x by factor."""
    # BEGIN SOLUTION: multiply the array x by factor and return the result as a float array.
    x = np.asarray(x, dtype=float)
    return x * factor
    # END SOLUTION


# %% [markdown]
# ## A worked example
# The variable below is set at module level.

# %%
# BEGIN SOLUTION: the offset the example uses
offset = 3.0
# END SOLUTION
total = 1.0  # SOLUTION: a one-line exercise
