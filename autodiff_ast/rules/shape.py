"""Rules of functions that move, copy or select array elements without arithmetic
(``np.reshape``, ``np.transpose``, ``np.concatenate``...): the adjoint moves the
gradient back to where each element came from.
"""

import numpy as np

from .registry import Attribute, adjoint
