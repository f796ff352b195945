// Structured elementwise ("monoid") functions: the builders are declared in sparse/math.h
// (structured_sigmoid ... sqrt, structured_monoid); this header only groups their includes.
#pragma once
#include "hypatia/sparse/math.h"
