// The abstract conv ops' typing, shape checks, run-time evaluation (through nnet/kernels/conv) and shapes.
#include "hypatia/nnet/ops/conv.h"

#include <sstream>

#include "hypatia/nnet/conv.h"
#include "hypatia/nnet/kernels/conv.h"
#include "hypatia/tensor/basic.h"
#include "hypatia/tensor/indexing.h"
#include "hypatia/tensor/ops/elemwise.h"

namespace hypatia {
namespace {

std::string ints_str(const std::vector<int64_t>& v) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  s << (v.size() == 1 ? ",)" : ")");
  return s.str();
}

DType out_dtype(DType d) { return d == DType::Float16 ? DType::Float32 : d; }

const TensorType& check_arg(const Var& v, const char* op, const char* what, int ndim) {
  const TensorType& t = check_tensor_input(v, op);
  if (t.ndim() != ndim) type_error("[", op, "] ", what, " must have ", ndim, " dimensions, got ", t.str());
  if (!is_float(t.elem())) type_error("[", op, "] ", what, " must be a float tensor, got ", t.str());
  return t;
}

Var shape_arg(const Var& s0, const char* op, int convdim) {
  Var s = as_tensor_variable(s0);
  const TensorType& t = check_tensor_input(s, op);
  if (t.ndim() != 1 || !is_int(t.elem()))
    type_error("[", op, "] the shape input must be an integer vector of ", convdim, " sizes, got ", t.str());
  return t.elem() == DType::Int64 ? s : cast(s, DType::Int64);
}

NDArray as_c(const NDArray& a, DType d) { return a.dtype() == d ? a.contiguous() : a.astype(d); }

// The conv geometry for concrete sizes; raises ValueError when the filter does not fit.
kernels::ConvGeom geometry(const ConvParams& p, const char* op, int64_t batch, int64_t cin, int64_t cout,
                           const Shape& in, const Shape& k) {
  kernels::ConvGeom g;
  const int D = int(p.convdim), off = 3 - D;
  const int64_t G = p.num_groups;
  if (cin % G != 0 || cout % G != 0)
    value_error("[", op, "] num_groups (", G, ") must divide the input channels (", cin, ") and the filters (", cout, ")");
  g.batch = batch, g.groups = G, g.cin_g = cin / G, g.cout_g = cout / G;
  for (int i = 0; i < D; ++i) {
    const int64_t dk = (k[i] - 1) * p.dilation[i] + 1;
    int64_t lo = 0, hi = 0;
    if (p.border == ConvBorder::Full) lo = hi = dk - 1;
    else if (p.border == ConvBorder::Half) lo = hi = dk / 2;
    else lo = p.pad_lo[i], hi = p.pad_hi[i];
    const int64_t span = in[i] + lo + hi - dk;
    if (k[i] < 1 || span < 0)
      value_error("[", op, "] the filter of size ", k[i], " (", dk, " dilated) does not fit the input of size ", in[i],
                  " padded by (", lo, ", ", hi, ") along spatial axis ", i);
    g.in[off + i] = in[i], g.k[off + i] = k[i], g.pad[off + i] = lo;
    g.stride[off + i] = p.subsample[i], g.dil[off + i] = p.dilation[i];
    g.out[off + i] = span / p.subsample[i] + 1;
  }
  return g;
}

void check_hint(const std::vector<int64_t>& hint, const Shape& real, const char* op, const char* what) {
  for (size_t i = 0; i < hint.size() && i < real.size(); ++i)
    if (hint[i] >= 0 && hint[i] != real[i])
      value_error("[", op, "] the ", what, " shape ", ints_str(std::vector<int64_t>(real.begin(), real.end())),
                  " does not match the ", what == std::string("input") ? "imshp" : "kshp", " hint ", ints_str(hint));
}

Shape spatial(const NDArray& a, int D) { return Shape(a.shape().end() - D, a.shape().end()); }

Shape shape_values(const NDArray& s, int D, const char* op) {
  NDArray v = s.astype(DType::Int64);
  if (v.size() != D) value_error("[", op, "] the shape input must hold ", D, " sizes, got ", v.size());
  Shape r(v.data<int64_t>(), v.data<int64_t>() + D);
  for (int64_t x : r)
    if (x < 0) value_error("[", op, "] negative size in the shape input ", ints_str(r));
  return r;
}

void check_top(const kernels::ConvGeom& g, const NDArray& top, int D, const char* op) {
  for (int i = 0; i < D; ++i)
    if (top.shape(2 + i) != g.out[3 - D + i]) {
      std::vector<int64_t> want;
      for (int j = 0; j < D; ++j) want.push_back(g.out[3 - D + j]);
      value_error("[", op, "] topgrad's spatial shape ", ints_str(std::vector<int64_t>(top.shape().begin() + 2, top.shape().end())),
                  " does not match the convolution's output shape ", ints_str(want));
    }
}

// The forward correlation `t` of topgrad that computes gradInputs of `g`, when that is cheaper:
// unit strides and fewer output than input channels per group (so im2col spans fewer rows than
// col2im would). dI[i] = sum_k top[i + k * dil - (dk - 1 - pad)] * swapped(w)[k]: t's leading
// pad is dk - 1 - pad, negative when the forward padding cropped more than the filter reaches
// (the kernels take any integer pad).
bool as_forward(const kernels::ConvGeom& g, kernels::ConvGeom& t) {
  if (g.cout_g >= g.cin_g) return false;
  t = g;
  t.cin_g = g.cout_g, t.cout_g = g.cin_g;
  for (int i = 0; i < 3; ++i) {
    if (g.stride[i] != 1) return false;
    const int64_t dk = (g.k[i] - 1) * g.dil[i] + 1;
    t.in[i] = g.out[i], t.out[i] = g.in[i], t.pad[i] = dk - 1 - g.pad[i];
  }
  return true;
}

// Symbolic int64 arithmetic for infer_shape.
Var c64(int64_t v) { return int64_constant(v); }

}  // namespace

std::string ConvParams::border_str() const {
  if (border == ConvBorder::Full) return "full";
  if (border == ConvBorder::Half) return "half";
  bool zero = true, sym = true;
  for (size_t i = 0; i < pad_lo.size(); ++i) zero = zero && pad_lo[i] == 0 && pad_hi[i] == 0, sym = sym && pad_lo[i] == pad_hi[i];
  if (zero) return "valid";
  if (sym) return ints_str(pad_lo);
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < pad_lo.size(); ++i) s << (i ? ", " : "") << "(" << pad_lo[i] << ", " << pad_hi[i] << ")";
  s << ")";
  return s.str();
}

ConvParams checked_conv_params(ConvParams p, const char* op) {
  const size_t D = size_t(p.convdim);
  if (D != 2 && D != 3) value_error("[", op, "] convdim must be 2 or 3, got ", p.convdim);
  auto fill = [&](std::vector<int64_t>& v, int64_t dflt, const char* what, int64_t min) {
    if (v.empty()) v.assign(D, dflt);
    if (v.size() != D) value_error("[", op, "] ", what, " must have ", D, " entries, got ", ints_str(v));
    for (int64_t x : v)
      if (x < min) value_error("[", op, "] ", what, " entries must be >= ", min, ", got ", ints_str(v));
  };
  fill(p.pad_lo, 0, "border_mode (padding)", 0);
  fill(p.pad_hi, 0, "border_mode (padding)", 0);
  if (p.border != ConvBorder::Pads) p.pad_lo.assign(D, 0), p.pad_hi.assign(D, 0);
  fill(p.subsample, 1, "subsample", 1);
  fill(p.dilation, 1, "filter_dilation", 1);
  if (p.num_groups < 1) value_error("[", op, "] num_groups must be >= 1, got ", p.num_groups);
  for (auto* h : {&p.imshp, &p.kshp}) {
    if (!h->empty() && h->size() != D + 2)
      value_error("[", op, "] ", h == &p.imshp ? "imshp" : "kshp", " must have ", D + 2, " entries, got ", ints_str(*h));
    for (int64_t& x : *h) x = x < 0 ? -1 : x;
  }
  const int64_t G = p.num_groups;
  if (!p.kshp.empty() && p.kshp[0] >= 0 && p.kshp[0] % G != 0)
    value_error("[", op, "] num_groups (", G, ") must divide the number of filters kshp[0] = ", p.kshp[0]);
  if (!p.imshp.empty() && !p.kshp.empty() && p.imshp[1] >= 0 && p.kshp[1] >= 0 && p.imshp[1] != p.kshp[1] * G)
    value_error("[", op, "] the input channels imshp[1] = ", p.imshp[1], " must equal kshp[1] * num_groups = ",
                p.kshp[1], " * ", G);
  return p;
}

int64_t conv_out_size(int64_t in, int64_t k, const ConvParams& p, int i) {
  const int64_t dk = (k - 1) * p.dilation[i] + 1;
  int64_t lo = p.pad_lo[i], hi = p.pad_hi[i];
  if (p.border == ConvBorder::Full) lo = hi = dk - 1;
  if (p.border == ConvBorder::Half) lo = hi = dk / 2;
  const int64_t span = in + lo + hi - dk;
  const int64_t q = span >= 0 ? span / p.subsample[i] : -((-span + p.subsample[i] - 1) / p.subsample[i]);
  return q + 1;  // Python's floor division
}

// ---------------------------------------------------------------- shared implementation

namespace conv_impl {

ApplyPtr make_node(const Op& op, const ConvParams& p, ConvDir dir, const std::vector<Var>& in0) {
  const std::string name = op.name();
  const char* n = name.c_str();
  const int D = int(p.convdim), nd = D + 2;
  std::vector<Var> in;
  for (size_t i = 0; i < in0.size(); ++i) in.push_back(as_tensor_variable(in0[i]));
  std::vector<bool> bc(nd, false);
  DType d;
  if (dir == ConvDir::Forward) {
    const TensorType& ti = check_arg(in[0], n, "the input", nd);
    const TensorType& tk = check_arg(in[1], n, "the filters", nd);
    d = out_dtype(upcast(ti.elem(), tk.elem()));
    bc[0] = ti.broadcastable()[0], bc[1] = tk.broadcastable()[0];
  } else if (dir == ConvDir::GradWeights) {
    const TensorType& ti = check_arg(in[0], n, "the input", nd);
    const TensorType& tt = check_arg(in[1], n, "topgrad", nd);
    in[2] = shape_arg(in[2], n, D);
    d = out_dtype(upcast(ti.elem(), tt.elem()));
    bc[0] = tt.broadcastable()[1], bc[1] = ti.broadcastable()[1] && p.num_groups == 1;
  } else {
    const TensorType& tk = check_arg(in[0], n, "the filters", nd);
    const TensorType& tt = check_arg(in[1], n, "topgrad", nd);
    in[2] = shape_arg(in[2], n, D);
    d = out_dtype(upcast(tk.elem(), tt.elem()));
    bc[0] = tt.broadcastable()[0], bc[1] = tk.broadcastable()[1] && p.num_groups == 1;
  }
  return Apply::create(op.ptr(), in, {TensorType::make(d, bc)});
}

void perform(const ConvParams& p, ConvDir dir, const char* op, const Apply& node, const Value* const* inputs,
             Value* outputs) {
  const int D = int(p.convdim);
  const DType d = tensor_type(node.output(0))->elem();
  const NDArray a = as_c(as_array(*inputs[0], op), d);
  const NDArray top = as_c(as_array(*inputs[1], op), d);
  if (dir == ConvDir::Forward) {
    const NDArray& img = a;
    const NDArray& kern = top;
    check_hint(p.imshp, img.shape(), op, "input");
    check_hint(p.kshp, kern.shape(), op, "filter");
    const int64_t C = img.shape(1), Cg = kern.shape(1), G = p.num_groups;
    if (C != Cg * G)
      value_error("[", op, "] the input has ", C, " channels but the filters expect kern.shape[1] * num_groups = ",
                  Cg, " * ", G, " = ", Cg * G);
    kernels::ConvGeom g = geometry(p, op, img.shape(0), C, kern.shape(0), spatial(img, D), spatial(kern, D));
    Shape os{img.shape(0), kern.shape(0)};
    for (int i = 0; i < D; ++i) os.push_back(g.out[3 - D + i]);
    NDArray out(d, os);
    kernels::conv_forward_kernel(g, img, p.filter_flip ? kernels::flip_filters(kern, D) : kern, out);
    outputs[0] = std::move(out);
  } else if (dir == ConvDir::GradWeights) {
    const NDArray& img = a;
    const Shape ks = shape_values(as_array(*inputs[2], op), D, op);
    check_hint(p.imshp, img.shape(), op, "input");
    const int64_t C = img.shape(1), M = top.shape(1), G = p.num_groups;
    if (top.shape(0) != img.shape(0))
      value_error("[", op, "] topgrad has batch size ", top.shape(0), " but the input has ", img.shape(0));
    kernels::ConvGeom g = geometry(p, op, img.shape(0), C, M, spatial(img, D), ks);
    check_top(g, top, D, op);
    Shape kshape{M, C / G};
    kshape.insert(kshape.end(), ks.begin(), ks.end());
    check_hint(p.kshp, kshape, op, "filter");
    NDArray dw(d, kshape);
    kernels::conv_grad_weights_kernel(g, img, top, dw);
    outputs[0] = p.filter_flip ? kernels::flip_filters(dw, D) : std::move(dw);
  } else {
    const NDArray& kern = a;
    const Shape is = shape_values(as_array(*inputs[2], op), D, op);
    check_hint(p.kshp, kern.shape(), op, "filter");
    const int64_t M = kern.shape(0), G = p.num_groups, C = kern.shape(1) * G;
    if (top.shape(1) != M)
      value_error("[", op, "] topgrad has ", top.shape(1), " channels but there are ", M, " filters");
    kernels::ConvGeom g = geometry(p, op, top.shape(0), C, M, is, spatial(kern, D));
    check_top(g, top, D, op);
    Shape ishape{top.shape(0), C};
    ishape.insert(ishape.end(), is.begin(), is.end());
    check_hint(p.imshp, ishape, op, "input");
    NDArray dimg(d, ishape);
    if (kernels::ConvGeom t; as_forward(g, t)) {
      // Unit stride, fewer channels in topgrad than in the image: a forward correlation of
      // topgrad with the swapped filters (an im2col over Mg channels, no col2im over Cg).
      kernels::conv_forward_kernel(t, top, kernels::swap_filter_channels(kern, G, !p.filter_flip, D), dimg);
    } else {
      kernels::conv_grad_inputs_kernel(g, p.filter_flip ? kernels::flip_filters(kern, D) : kern, top, dimg);
    }
    outputs[0] = std::move(dimg);
  }
}

std::optional<std::vector<ShapeVec>> infer_shape(const ConvParams& p, ConvDir dir, const Apply& node,
                                                 const std::vector<ShapeVec>& s) {
  const int D = int(p.convdim);
  ShapeVec r;
  if (dir == ConvDir::Forward) {
    r = {s[0][0], s[1][0]};
    for (int i = 0; i < D; ++i) {
      Var k = s[1][2 + i];
      Var dk = p.dilation[i] == 1 ? k : add(mul(sub(k, c64(1)), c64(p.dilation[i])), c64(1));
      Var span;  // in + lo + hi - dk
      if (p.border == ConvBorder::Full) span = sub(add(s[0][2 + i], dk), c64(2));
      else if (p.border == ConvBorder::Half) span = sub(add(s[0][2 + i], mul(c64(2), int_div(dk, c64(2)))), dk);
      else span = sub(add(s[0][2 + i], c64(p.pad_lo[i] + p.pad_hi[i])), dk);
      r.push_back(add(p.subsample[i] == 1 ? span : int_div(span, c64(p.subsample[i])), c64(1)));
    }
  } else if (dir == ConvDir::GradWeights) {
    r = {s[1][1], p.num_groups == 1 ? s[0][1] : int_div(s[0][1], c64(p.num_groups))};
    for (int i = 0; i < D; ++i) r.push_back(subtensor(node.input(2), i));
  } else {
    r = {s[1][0], p.num_groups == 1 ? s[0][1] : mul(s[0][1], c64(p.num_groups))};
    for (int i = 0; i < D; ++i) r.push_back(subtensor(node.input(2), i));
  }
  return std::vector<ShapeVec>{r};
}

std::string str(const char* name, const ConvParams& p) {
  std::ostringstream s;
  s << name << "{convdim=" << p.convdim << ", border_mode='" << p.border_str() << "', subsample=" << ints_str(p.subsample)
    << ", filter_flip=" << (p.filter_flip ? "True" : "False") << ", imshp=" << (p.imshp.empty() ? "None" : ints_str(p.imshp))
    << ", kshp=" << (p.kshp.empty() ? "None" : ints_str(p.kshp)) << ", filter_dilation=" << ints_str(p.dilation)
    << ", num_groups=" << p.num_groups << ", unshared=False}";
  return s.str();
}

}  // namespace conv_impl
}  // namespace hypatia
