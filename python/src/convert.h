// Conversions between Python objects (numpy arrays, scipy.sparse matrices, Python numbers) and Values.
#pragma once
#include <nanobind/nanobind.h>

#include "hypatia/value/value.h"
#include "hypatia/graph/variable.h"

namespace hypatia::py {

namespace nb = nanobind;

/// A numpy array (or anything with the buffer protocol) as an NDArray, sharing memory.
NDArray array_from_buffer(nb::handle obj);
/// Any array-like (numpy array, list, Python number) as an NDArray; `dtype` (when given)
/// converts Python numbers and lists directly to that dtype.
NDArray to_ndarray(nb::handle obj, const DType* dtype = nullptr);
/// True for scipy.sparse matrices/arrays.
bool is_scipy_sparse(nb::handle obj);
/// A scipy csr/csc matrix as a SparseMatrix sharing its arrays; other formats (coo, bsr, lil, dok,
/// dia) are converted by scipy to `target` ("csr" or "csc"). Big-endian arrays become native copies.
SparseMatrix to_sparse(nb::handle obj, const char* target = "csr");
/// Any runtime value from Python, shaped by the expected type when one is given. For a sparse
/// type this is the Python side of Theano's SparseType.filter: non-strict, any scipy format or a
/// dense array-like is accepted (SparseType::filter converts it); strict, only csr/csc.
Value to_value(nb::handle obj, const Type* expected = nullptr, bool strict = false);
/// NDArray -> numpy array sharing the buffer (the buffer stays alive while numpy uses it).
nb::object to_numpy(const NDArray& a);
nb::object to_python(const Value& v);
nb::object numpy_dtype(DType d);
/// `doc` followed by `extra`, kept alive for the module's lifetime (nanobind keeps the pointer,
/// not a copy), so helpers that bind families of functions can add a common sentence.
const char* joined_doc(const char* doc, const char* extra);

}  // namespace hypatia::py
