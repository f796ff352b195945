"""Theano's dense op classes (theano.tensor, .elemwise, .basic, .subtensor, .blas, .nnet) for isinstance.

These ops are built by hypatia.tensor's functions, not by calling their classes, so the classes
answer ``isinstance(node.op, T.Elemwise)`` and ``issubclass(T.Sum, T.CAReduce)`` and raise
TypeError when called. The hierarchy is Theano 1.0's: Sum and Prod subclass CAReduceDtype,
which subclasses CAReduce, as do All, Any, Max, Min and ProdWithoutZeros. A fused elementwise
loop is an Elemwise (Theano's Elemwise{Composite}), and a fused reduction a CAReduce.
"""
from .._op_class import native_op_class

_HINT = "hypatia.tensor's functions build it (x + y, T.sum, x.dimshuffle, T.dot, x[i], ...)"


def _c(name, module, cpp="", bases=()):
    return native_op_class(name, None, cpp, bases, "hypatia.tensor." + module, _HINT)


# theano.tensor.elemwise
Elemwise = _c("Elemwise", "elemwise", ["hypatia::Elemwise", "hypatia::FusedElemwise"])
DimShuffle = _c("DimShuffle", "elemwise")
CAReduce = _c("CAReduce", "elemwise", "hypatia::FusedSum")
CAReduceDtype = _c("CAReduceDtype", "elemwise", [], (CAReduce,))
Sum = _c("Sum", "elemwise", bases=(CAReduceDtype,))
Prod = _c("Prod", "elemwise", bases=(CAReduceDtype,))
ProdWithoutZeros = _c("ProdWithoutZeros", "elemwise", bases=(CAReduce,))
All = _c("All", "elemwise", bases=(CAReduce,))
Any = _c("Any", "elemwise", bases=(CAReduce,))
elemwise_classes = ["Elemwise", "DimShuffle", "CAReduce", "CAReduceDtype", "Sum", "Prod", "ProdWithoutZeros", "All", "Any"]

# theano.tensor.basic (its ExtractDiag and AllocDiag are hypatia.tensor.nlinalg's; Theano's Max and Min reduce with CAReduce, through NonZeroCAReduce)
Max = _c("Max", "basic", bases=(CAReduce,))
Min = _c("Min", "basic", bases=(CAReduce,))
MaxAndArgmax = _c("MaxAndArgmax", "basic")
Argmax = _c("Argmax", "basic")
Argmin = _c("Argmin", "basic")
Alloc = _c("Alloc", "basic")
Join = _c("Join", "basic")
Split = _c("Split", "basic")
Reshape = _c("Reshape", "basic")
Rebroadcast = _c("Rebroadcast", "basic")
ARange = _c("ARange", "basic")
Eye = _c("Eye", "basic")
Tri = _c("Tri", "basic")
Dot = _c("Dot", "basic")
BatchedDot = _c("BatchedDot", "basic")
MakeVector = _c("MakeVector", "basic")
Nonzero = _c("Nonzero", "basic")
Shape = _c("Shape", "basic", "hypatia::ShapeOp")
Shape_i = _c("Shape_i", "basic", "hypatia::ShapeI")
SpecifyShape = _c("SpecifyShape", "basic")
basic_classes = ["Max", "Min", "MaxAndArgmax", "Argmax", "Argmin", "Alloc", "Join", "Split", "Reshape", "Rebroadcast",
                 "ARange", "Eye", "Tri", "Dot", "BatchedDot", "MakeVector", "Nonzero", "Shape", "Shape_i", "SpecifyShape"]

# theano.tensor.sort (here at hypatia.tensor: hypatia.tensor.sort is the function, as theano.tensor.sort is)
SortOp = _c("SortOp", "basic")
ArgSortOp = _c("ArgSortOp", "basic")
sort_classes = ["SortOp", "ArgSortOp"]

# theano.tensor.subtensor
Subtensor = _c("Subtensor", "subtensor")
IncSubtensor = _c("IncSubtensor", "subtensor")
AdvancedSubtensor1 = _c("AdvancedSubtensor1", "subtensor")
AdvancedIncSubtensor1 = _c("AdvancedIncSubtensor1", "subtensor")
AdvancedSubtensor = _c("AdvancedSubtensor", "subtensor")
AdvancedIncSubtensor = _c("AdvancedIncSubtensor", "subtensor")
subtensor_classes = ["Subtensor", "IncSubtensor", "AdvancedSubtensor1", "AdvancedIncSubtensor1", "AdvancedSubtensor",
                     "AdvancedIncSubtensor"]

# theano.tensor.blas (FAST_RUN introduces them)
Gemm = _c("Gemm", "blas")
Gemv = _c("Gemv", "blas")
Ger = _c("Ger", "blas")
blas_classes = ["Gemm", "Gemv", "Ger"]

# theano.tensor.nnet.nnet
Softmax = _c("Softmax", "nnet.nnet")
SoftmaxWithBias = _c("SoftmaxWithBias", "nnet.nnet")
SoftmaxGrad = _c("SoftmaxGrad", "nnet.nnet")
CrossentropySoftmaxArgmax1HotWithBias = _c("CrossentropySoftmaxArgmax1HotWithBias", "nnet.nnet")
CrossentropySoftmax1HotWithBiasDx = _c("CrossentropySoftmax1HotWithBiasDx", "nnet.nnet")
CrossentropyCategorical1Hot = _c("CrossentropyCategorical1Hot", "nnet.nnet")
CrossentropyCategorical1HotGrad = _c("CrossentropyCategorical1HotGrad", "nnet.nnet")
nnet_classes = ["Softmax", "SoftmaxWithBias", "SoftmaxGrad", "CrossentropySoftmaxArgmax1HotWithBias",
                "CrossentropySoftmax1HotWithBiasDx", "CrossentropyCategorical1Hot", "CrossentropyCategorical1HotGrad"]

__all__ = elemwise_classes + basic_classes + sort_classes + subtensor_classes
