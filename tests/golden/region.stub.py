# golden: your work goes where the TODO banners are.
# Check it with `grade submit` in this folder. Generated from the reference by `grade generate`.
"""A small reference used by the golden-file test of the templates."""

import numpy as np


def scale(x, factor=2.0):
    """Multiply x by factor."""
    ###########################################################################
    # TODO: multiply the array x by factor and return the result as a float   #
    # array.                                                                  #
    ###########################################################################
    raise NotImplementedError('TODO: multiply the array x by factor and return the result as a float array.')


# %% [markdown]
# ## A worked example
# The variable below is set at module level.

# %%
###############################################################################
# TODO: the offset the example uses                                           #
###############################################################################
offset = None
total = None  # TODO: a one-line exercise
