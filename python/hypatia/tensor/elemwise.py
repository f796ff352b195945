"""hypatia.tensor.elemwise (theano.tensor.elemwise): the elementwise and reduction op classes.

They answer ``isinstance(node.op, Elemwise)``; the ops themselves are built by hypatia.tensor's
functions (see hypatia.tensor._op_classes).
"""
from ._op_classes import Elemwise, DimShuffle, CAReduce, CAReduceDtype, Sum, Prod, ProdWithoutZeros, All, Any  # noqa: F401
from ._op_classes import elemwise_classes as __all__  # noqa: F401
