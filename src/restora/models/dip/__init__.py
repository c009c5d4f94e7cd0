"""Deep Image Prior networks (Ulyanov, Vedaldi, Lempitsky, "Deep Image Prior", CVPR 2018).

The fitting loop that turns these untrained networks into a restoration method lives in
:mod:`restora.train.dip`.
"""

from restora.models.dip.skip import DIPSkip

__all__ = ["DIPSkip"]
