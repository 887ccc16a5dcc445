#!/usr/bin/env python3
"""Writes Tests/SynprefRetrievalTests/Fixtures/numpy-3x4.npy with NumPy's own np.save (the
reference writer of the .npy format) for NpyMatrix's reader test: a 3 x 4 float32 matrix
whose values are row * 10 + column + 0.5.

usage: npy_fixture.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "SynprefRetrievalTests", "Fixtures", "numpy-3x4.npy")

a = np.array([[r * 10 + c + 0.5 for c in range(4)] for r in range(3)], dtype=np.float32)
np.save(OUT, a)
print(OUT, np.__version__)
