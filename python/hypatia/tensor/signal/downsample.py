"""hypatia.tensor.signal.downsample: the deprecated module of Theano 1.0 (theano.tensor.signal.
downsample), kept as aliases of hypatia.tensor.signal.pool; importing it warns."""
import warnings

from . import pool as _pool

warnings.warn("downsample module has been moved to the hypatia.tensor.signal.pool module.", stacklevel=2)

max_pool_2d_same_size = _pool.max_pool_2d_same_size
max_pool_2d = _pool.pool_2d
DownsampleFactorMax = _pool.Pool
PoolGrad = _pool.PoolGrad
MaxPoolGrad = _pool.MaxPoolGrad
AveragePoolGrad = _pool.AveragePoolGrad
DownsampleFactorMaxGrad = _pool.MaxPoolGrad
DownsampleFactorMaxGradGrad = _pool.DownsampleFactorMaxGradGrad
