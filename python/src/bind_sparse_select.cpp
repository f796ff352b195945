// Python bindings of the sparse selection, stacking, construction and probability ops
// (added to hypatia._core.sparse). Also the explicit registration of the sparse_grad builder.
#include "bindings.h"
#include "hypatia/sparse/basic.h"
#include "hypatia/sparse/ops/construct.h"
#include "hypatia/sparse/ops/getitem.h"
#include "hypatia/sparse/ops/random.h"
#include "hypatia/sparse/ops/stack.h"
#include "hypatia/sparse/select.h"
#include "hypatia/tensor/basic.h"

namespace hypatia::py {

namespace {

std::string type_name_of(nb::handle h) { return nb::cast<std::string>(nb::str(h.type().attr("__name__"))); }


std::optional<SparseFormat> opt_format(nb::handle f, const char* who) {
  if (f.is_none()) return std::nullopt;
  std::string s = nb::cast<std::string>(nb::str(f));
  if (s != "csr" && s != "csc") type_error("[", who, "] unknown sparse format '", s, "'; expected 'csr' or 'csc'");
  return format_from_name(s);
}


std::optional<uint64_t> opt_seed(nb::handle s, const char* who) {
  if (s.is_none()) return std::nullopt;
  if (PyBool_Check(s.ptr()) || !PyIndex_Check(s.ptr())) type_error("[", who, "] seed must be an integer or None, got ", type_name_of(s));
  const long long v = nb::cast<long long>(nb::int_(s));
  if (v < 0) value_error("[", who, "] seed must be non-negative, got ", v);
  return static_cast<uint64_t>(v);
}

RandomStreams* opt_streams(nb::handle h, const char* who) {
  if (h.is_none()) return nullptr;
  nb::handle s = nb::hasattr(h, "_streams") ? nb::handle(h.attr("_streams")) : h;
  if (!nb::isinstance<RandomStreams>(s)) type_error("[", who, "] rng must be a RandomStreams, got ", type_name_of(h));
  return nb::cast<RandomStreams*>(s);
}

SliceBound bound(nb::handle h) {
  if (h.is_none()) return {};
  if (nb::isinstance<Var>(h)) return SliceBound(nb::cast<Var>(h));
  if (!PyBool_Check(h.ptr()) && !PyFloat_Check(h.ptr()) && PyIndex_Check(h.ptr()))
    return SliceBound(static_cast<int64_t>(nb::cast<long long>(nb::int_(h))));
  type_error("[GetItem2d] slice indices must be integers, None or integer scalar variables, got ", type_name_of(h));
}

IndexEntry entry(nb::handle h) {
  if (PySlice_Check(h.ptr())) {
    auto* s = reinterpret_cast<PySliceObject*>(h.ptr());
    return IndexEntry::slice(bound(s->start), bound(s->stop), bound(s->step));
  }
  if (nb::isinstance<Var>(h)) {
    Var v = nb::cast<Var>(h);
    IndexEntry e;
    e.kind = IndexEntry::Kind::Array;
    e.array = v;
    return e;
  }
  if (!PyBool_Check(h.ptr()) && PyLong_Check(h.ptr())) return IndexEntry::at(static_cast<int64_t>(nb::cast<long long>(h)));
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()) || (nb::hasattr(h, "dtype") && nb::hasattr(h, "shape"))) {
    IndexEntry e;
    e.kind = IndexEntry::Kind::Array;
    e.array = (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) && nb::len(h) == 0 ? constant(NDArray::empty(DType::Int64, {0}))
                                                                                   : as_var(h);
    return e;
  }
  if (!PyBool_Check(h.ptr()) && PyIndex_Check(h.ptr())) return IndexEntry::at(static_cast<int64_t>(nb::cast<long long>(nb::int_(h))));
  type_error("[getitem] invalid index of type ", type_name_of(h), " for a sparse matrix");
}

std::vector<IndexEntry> entries(nb::handle key) {
  std::vector<IndexEntry> r;
  if (PyTuple_Check(key.ptr())) {
    for (auto k : key) r.push_back(entry(k));
  } else {
    r.push_back(entry(key));
  }
  return r;
}

std::vector<Var> blocks_of(nb::handle blocks, const char* who) {
  std::vector<Var> r;
  for (auto b : blocks) r.push_back(sparse_operand(b, who));
  return r;
}

nb::tuple pair_tuple(const RandomPair& p) { return nb::make_tuple(p.first, p.second); }

}  // namespace

Var sparse_getitem(const Var& x, nb::handle key) { return sparse::getitem(x, entries(key)); }

void init_sparse_select(nb::module_& root) {
  // The sparse_grad builder of AdvancedSubtensor1: registered here, at the module's
  // initialisation (an explicit call, no static initialiser), so hypatia.sparse_grad works.
  sparse::register_sparse_grad_builder();
  nb::module_ m = nb::borrow<nb::module_>(root.attr("sparse"));

  // ---- op objects ----
  m.def("GetItemScalar", [] { return make_op<GetItemScalar>(); },
        "Theano's op class GetItemScalar: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("GetItemList", [] { return make_op<GetItemList>(); },
        "Theano's op class GetItemList: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("GetItemListGrad", [] { return make_op<GetItemListGrad>(); },
        "Theano's op class GetItemListGrad: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("GetItem2Lists", [] { return make_op<GetItem2Lists>(); },
        "Theano's op class GetItem2Lists: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("GetItem2ListsGrad", [] { return make_op<GetItem2ListsGrad>(); },
        "Theano's op class GetItem2ListsGrad: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op.");
  m.def("HStack", [](nb::handle f, nb::handle d) {
    return make_op<HStack>(StackParams{opt_format(f, "HStack").value_or(SparseFormat::CSC), opt_dtype(d).value_or(floatX())});
  }, nb::arg("format") = nb::none(), nb::arg("dtype") = nb::none(),
        "Theano's op class HStack: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``format`` ('csr' or 'csc'; None: csc) and ``dtype`` (None: floatX) are the result's.");
  m.def("VStack", [](nb::handle f, nb::handle d) {
    return make_op<VStack>(StackParams{opt_format(f, "VStack").value_or(SparseFormat::CSC), opt_dtype(d).value_or(floatX())});
  }, nb::arg("format") = nb::none(), nb::arg("dtype") = nb::none(),
        "Theano's op class VStack: returns the op object; call it on its inputs (op(x, ...)) to build a node, which raises TypeError when the inputs' types do not fit the op. ``format`` ('csr' or 'csc'; None: csc) and ``dtype`` (None: floatX) are the result's.");

  // Theano's make_node input names (keyword inputs of op instances); GetItemScalar's index is
  // the pair (i, j), spread over the op's two index inputs.
  op_params<GetItemScalar>({{"x"}, {"index", 2}});
  op_params<GetItemList>({{"x"}, {"index"}});
  op_params<GetItemListGrad>({{"x"}, {"index"}, {"gz"}});
  op_params<GetItem2Lists>({{"x"}, {"ind1"}, {"ind2"}});
  op_params<GetItem2ListsGrad>({{"x"}, {"ind1"}, {"ind2"}, {"gz"}});
  op_params<ConstructSparseFromList>({{"x"}, {"values"}, {"ilist"}});

  // ---- selection ----
  m.def("getitem", [](nb::handle x, nb::handle key) { return sparse::getitem(sparse_operand(x, "getitem"), entries(key)); },
        "x[key] of a sparse matrix: 2-d slices (GetItem2d), a scalar pair (GetItemScalar) or integer lists.");
  m.def("get_item_2d", [](nb::handle x, nb::handle key) { return sparse::get_item_2d(sparse_operand(x, "GetItem2d"), entries(key)); },
        "x[a:b:s, c:d:t] (index: a tuple of 1 or 2 slices) as a sparse matrix of x's format.");
  m.def("get_item_scalar", [](nb::handle x, nb::handle i, nb::handle j) {
    return sparse::get_item_scalar(sparse_operand(x, "GetItemScalar"), as_var(i), as_var(j));
  },
        "x[i, j] of a sparse matrix as a dense scalar.");
  m.def("get_item_list", [](nb::handle x, nb::handle idx) { return sparse::get_item_list(sparse_operand(x, "GetItemList"), as_var(idx)); },
        "The rows ``index`` (an integer vector) of x, as a sparse matrix of x's format.");
  m.def("get_item_2lists", [](nb::handle x, nb::handle i1, nb::handle i2) {
    return sparse::get_item_2lists(sparse_operand(x, "GetItem2Lists"), as_var(i1), as_var(i2));
  },
        "The dense vector [x[ind1[k], ind2[k]] for k].");
  m.def("get_item_list_grad", [](nb::handle x, nb::handle idx, nb::handle gz) {
    return sparse::get_item_list_grad(sparse_operand(x, "GetItemListGrad"), as_var(idx), sparse_operand(gz, "GetItemListGrad"));
  }, nb::arg("x"), nb::arg("indices"), nb::arg("gz"),
        "The gradient of get_item_list: gz's rows scattered into x's shape (sparse). Takes (x, indices, gz) positionally. Raises TypeError when x or gz is not of the kind the op expects or the indices are not an integer vector.");
  m.def("get_item_2lists_grad", [](nb::handle x, nb::handle i1, nb::handle i2, nb::handle gz) {
    return sparse::get_item_2lists_grad(sparse_operand(x, "GetItem2ListsGrad"), as_var(i1), as_var(i2), as_var(gz));
  }, nb::arg("x"), nb::arg("ind1"), nb::arg("ind2"), nb::arg("gz"),
        "The gradient of get_item_2lists: gz's values scattered into x's shape (sparse). Takes (x, ind1, ind2, gz) positionally. Raises TypeError when x or gz is not of the kind the op expects or the index lists are not integer vectors.");

  // ---- stacking and construction ----
  m.def("hstack", [](nb::handle blocks, nb::handle f, nb::handle d) {
    return sparse::hstack(blocks_of(blocks, "HStack"), opt_format(f, "HStack"), opt_dtype(d));
  }, nb::arg("blocks"), nb::arg("format") = nb::none(), nb::arg("dtype") = nb::none(),
        "Sparse blocks side by side (scipy.sparse.hstack); format defaults to csc.");
  m.def("vstack", [](nb::handle blocks, nb::handle f, nb::handle d) {
    return sparse::vstack(blocks_of(blocks, "VStack"), opt_format(f, "VStack"), opt_dtype(d));
  }, nb::arg("blocks"), nb::arg("format") = nb::none(), nb::arg("dtype") = nb::none(),
        "Sparse blocks one under the other (scipy.sparse.vstack); format defaults to csc.");
  m.def("construct_sparse_from_list", [](nb::handle x, nb::handle values, nb::handle ilist) {
    return sparse::construct_sparse_from_list(as_var(x), as_var(values), as_var(ilist));
  },
        "The csc matrix of x's shape and dtype with row ilist[k] = values[k, :] (regular grad).");
  m.def("sparse_grad", [](nb::handle v) {
    if (!nb::isinstance<Var>(v)) type_error("[sparse_grad] expected the result of x[int_vector], got ", type_name_of(v));
    return sparse::sparse_grad(nb::cast<Var>(v));
  },
        "theano.sparse_grad: ``var = x[int_vector]`` whose gradient w.r.t. x is sparse.");

  // ---- probability ----
  m.def("poisson", [](nb::handle x, nb::handle seed, nb::handle rng) {
    Var xv = sparse_operand(x, "Poisson");
    if (RandomStreams* s = opt_streams(rng, "Poisson")) return sparse::poisson(*s, xv);
    return sparse::poisson(xv, opt_seed(seed, "Poisson"));
  }, nb::arg("x"), nb::arg("seed") = nb::none(), nb::arg("rng") = nb::none(),
        "A sparse matrix with x's stored positions holding Poisson(x.data) draws (x's dtype); draws equal to 0 are not stored (Theano's eliminate_zeros). ``seed`` (an int) or ``rng`` (a generator state or stream) makes the draws reproducible; with neither they use fresh entropy. Raises TypeError when x is not sparse; the compiled function raises ValueError for negative rates.");
  m.def("binomial", [](const std::string& f, nb::handle d, nb::handle n, nb::handle p, nb::handle shape, nb::handle seed,
                       nb::handle rng) {
    const SparseFormat fmt = *opt_format(nb::str(f.c_str()), "Binomial");
    const DType dt = opt_dtype(d).value_or(floatX());
    if (RandomStreams* s = opt_streams(rng, "Binomial")) return sparse::binomial(*s, fmt, dt, as_var(n), as_var(p), as_var(shape));
    return sparse::binomial(fmt, dt, as_var(n), as_var(p), as_var(shape), opt_seed(seed, "Binomial"));
  }, nb::arg("format"), nb::arg("dtype"), nb::arg("n"), nb::arg("p"), nb::arg("shape"), nb::arg("seed") = nb::none(),
     nb::arg("rng") = nb::none(),
        "Theano's sparse Binomial: a sparse matrix of the given shape with binomial(n, p) entries.");
  m.def("multinomial", [](nb::handle n, nb::handle p, nb::handle seed, nb::handle rng) {
    Var pv = sparse_operand(p, "Multinomial");
    if (RandomStreams* s = opt_streams(rng, "Multinomial")) return sparse::multinomial(*s, as_var(n), pv);
    return sparse::multinomial(as_var(n), pv, opt_seed(seed, "Multinomial"));
  }, nb::arg("n"), nb::arg("p"), nb::arg("seed") = nb::none(), nb::arg("rng") = nb::none(),
        "For each row i of the sparse p, Multinomial(n[i] (or n), p[i]) counts at p's positions. ``seed`` (an int) or ``rng`` (a generator state or stream) makes the draws reproducible; with neither they use fresh entropy. Raises TypeError when p is not sparse; the compiled function raises ValueError for probabilities outside [0, 1] or rows summing above 1.");
  m.def("random_poisson", [](const Var& rng, nb::handle x) { return pair_tuple(sparse::random_poisson(rng, sparse_operand(x, "Poisson"))); },
        "Sparse Poisson draws at x's stored entries, from a random state.");
  m.def("random_binomial", [](const Var& rng, const std::string& f, nb::handle d, nb::handle n, nb::handle p, nb::handle shape) {
    return pair_tuple(sparse::random_binomial(rng, *opt_format(nb::str(f.c_str()), "Binomial"), opt_dtype(d).value_or(floatX()),
                                              as_var(n), as_var(p), as_var(shape)));
  },
        "Sparse binomial draws from a random state.");
  m.def("random_multinomial", [](const Var& rng, nb::handle n, nb::handle p) {
    return pair_tuple(sparse::random_multinomial(rng, as_var(n), sparse_operand(p, "Multinomial")));
  },
        "Sparse multinomial draws from a random state.");
}

}  // namespace hypatia::py
