# gradient_descent: your work goes where the TODO banners are.
# Check it with `grade submit` in this folder. Generated from the reference by `grade generate`.
"""A synthetic stand-in for the classic graduate-admissions data, and its preparation.

The classic exercise trains on 400 records of applicants to graduate school: GRE score, GPA, the
rank (prestige) of their undergraduate institution from 1 (highest) to 4, and whether they were
admitted. This module generates a data set of the same shape and character with our own code, so the
course ships no third-party data. Everything is deterministic: the same arguments give the same
records on every machine.

How the records are drawn (``generate(n_records=400, seed=SEED)``), in this order from one
``numpy.random.default_rng(seed)``:

1. ``rank``: 1, 2, 3 or 4 with probabilities 0.15, 0.38, 0.30, 0.17.
2. Two standard normal draws per record, ``z1`` and ``z2`` (an array of shape ``(n_records, 2)``).
3. ``gpa = 3.39 + 0.38 * z1``, clipped to [2.0, 4.0] and rounded to 2 decimals.
4. ``gre = 588 + 116 * (0.38 * z1 + sqrt(1 - 0.38**2) * z2)`` (correlation 0.38 with GPA), rounded to
   the nearest multiple of 20 and clipped to [200, 800].
5. ``admit``: 1 with probability ``sigmoid(logit)``, one uniform draw per record, where

       logit = -9.35 + 0.006 * gre + 1.8 * gpa + RANK_EFFECT[rank]
       RANK_EFFECT = {1: 0.0, 2: -1.0, 3: -1.7, 4: -2.2}

   The signs follow what a logistic regression finds on real admissions data (a better GRE or GPA
   helps, a less prestigious school hurts); the effects are about twice as strong, so that a model
   has something to learn beyond "reject everyone". About a third of applicants are admitted, and
   the true model itself predicts only about 75% of the labels right (its expected accuracy,
   the mean of max(p, 1 - p) over applicants), so no classifier can do much better.

``data_prep`` then turns the records into the arrays the training code uses: ``rank`` one-hot encoded
into four 0/1 columns, ``gre`` and ``gpa`` standardised (mean 0, standard deviation 1 over the whole
data set), and a random 90/10 split into training and test records with a fixed seed.
"""

import numpy as np

SEED = 2017
N_RECORDS = 400
RANK_PROBABILITIES = (0.15, 0.38, 0.30, 0.17)
RANK_EFFECT = {1: 0.0, 2: -1.0, 3: -1.7, 4: -2.2}
INTERCEPT, GRE_COEF, GPA_COEF = -9.35, 0.006, 1.8
FEATURE_NAMES = ("gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4")


def admit_probability(gre, gpa, rank):
    """The generating model's probability of admission (the best any classifier can know)."""
    effect = np.array([RANK_EFFECT[r] for r in range(1, 5)])[np.asarray(rank) - 1]
    logit = INTERCEPT + GRE_COEF * np.asarray(gre, float) + GPA_COEF * np.asarray(gpa, float) + effect
    return 1.0 / (1.0 + np.exp(-logit))


def generate(n_records=N_RECORDS, seed=SEED):
    """Draw the records as described in the module docstring.

    Returns:
        A dict of arrays of length ``n_records``: ``admit`` (0/1 ints), ``gre`` (floats, multiples
        of 20 in [200, 800]), ``gpa`` (floats in [2.0, 4.0]) and ``rank`` (ints 1-4).
    """
    rng = np.random.default_rng(seed)
    rank = rng.choice(np.arange(1, 5), size=n_records, p=RANK_PROBABILITIES)
    z = rng.standard_normal((n_records, 2))
    gpa = np.round(np.clip(3.39 + 0.38 * z[:, 0], 2.0, 4.0), 2)
    gre_raw = 588.0 + 116.0 * (0.38 * z[:, 0] + np.sqrt(1.0 - 0.38**2) * z[:, 1])
    gre = np.clip(np.round(gre_raw / 20.0) * 20.0, 200.0, 800.0)
    admit = (rng.uniform(size=n_records) < admit_probability(gre, gpa, rank)).astype(int)
    return {"admit": admit, "gre": gre, "gpa": gpa, "rank": rank}


def data_prep(data=None, test_fraction=0.1, seed=42):
    """One-hot encode rank, standardise gre and gpa, and split into training and test records.

    Args:
        data: records as returned by :func:`generate` (default: ``generate()``).
        test_fraction: share of the records held out for testing.
        seed: seed of the split: ``numpy.random.default_rng(seed).choice(n, size=n_train,
            replace=False)`` picks the training records, in that order; the rest, in their original
            order, are the test records.

    Returns:
        ``(features, targets, features_test, targets_test)``: float arrays; the feature columns
        are :data:`FEATURE_NAMES`.
    """
    data = generate() if data is None else data
    rank = np.asarray(data["rank"])
    one_hot = (rank[:, None] == np.arange(1, 5)[None, :]).astype(float)
    columns = []
    for name in ("gre", "gpa"):
        values = np.asarray(data[name], dtype=float)
        columns.append((values - values.mean()) / values.std())
    features_all = np.column_stack(columns + [one_hot])
    targets_all = np.asarray(data["admit"], dtype=float)

    n_records = len(targets_all)
    n_train = int(round(n_records * (1.0 - test_fraction)))
    train_idx = np.random.default_rng(seed).choice(n_records, size=n_train, replace=False)
    test_mask = np.ones(n_records, dtype=bool)
    test_mask[train_idx] = False
    return (features_all[train_idx], targets_all[train_idx],
            features_all[test_mask], targets_all[test_mask])


if __name__ == "__main__":
    records = generate()
    print("admitted: {:.3f}".format(records["admit"].mean()))
    for r in range(1, 5):
        print("rank", r, "count", int(np.sum(records["rank"] == r)),
              "admit rate {:.3f}".format(records["admit"][records["rank"] == r].mean()))
    p = admit_probability(records["gre"], records["gpa"], records["rank"])
    print("accuracy of the true model on these records: {:.3f}".format(np.mean((p > 0.5) == records["admit"])))
    print("expected accuracy of the true model: {:.3f}".format(np.mean(np.maximum(p, 1 - p))))
