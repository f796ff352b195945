"""hypatia.config: the few Theano configuration flags Hypatia honours (floatX, mode)."""
from . import _core


class _Config:
    """Attribute access to configuration, as ``theano.config``."""

    def __init__(self):
        self.__dict__["mode"] = "FAST_RUN"
        self.__dict__["on_unused_input"] = "raise"

    @property
    def floatX(self):
        return _core.floatX()

    @floatX.setter
    def floatX(self, value):
        if value not in ("float16", "float32", "float64"):
            raise ValueError("[config] floatX must be float16, float32 or float64, got %r" % (value,))
        _core.set_floatX(value)

    def __setattr__(self, name, value):
        if name == "floatX":
            type(self).floatX.fset(self, value)
        elif name == "mode":
            if value not in ("FAST_RUN", "FAST_COMPILE", "None"):
                raise ValueError("[config] mode must be FAST_RUN, FAST_COMPILE or None, got %r" % (value,))
            self.__dict__[name] = value
        elif name in self.__dict__:
            self.__dict__[name] = value
        else:
            raise AttributeError("[config] unknown configuration flag %r" % (name,))


config = _Config()
