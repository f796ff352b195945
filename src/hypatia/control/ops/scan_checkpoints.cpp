// scan_checkpoints: a scan of scans that keeps one state in save_every_N, recomputing the rest for gradients.
#include "hypatia/control/ops/scan.h"
#include "hypatia/tensor/ops/creation.h"
#include "hypatia/tensor/ops/elemwise.h"
#include "hypatia/tensor/ops/indexing.h"
#include "hypatia/tensor/ops/join.h"
#include "hypatia/tensor/api.h"
#include "hypatia/tensor/ops/shape.h"

namespace hypatia {

// Theano's construction: the sequences are cut into chunks of N steps (zero-padded to a
// multiple of N when `padding`), an outer scan walks the chunks and an inner scan walks the
// steps of one chunk, returning only its last values. The outer scan stores one state per
// chunk; its gradient recomputes each chunk's inner scan, whose own gradient stores N states.
ScanResult scan_checkpoints(const ScanFn& fn, const std::vector<Var>& sequences,
                            const std::vector<ScanOutputInfo>& outputs_info, const std::vector<Var>& non_sequences,
                            const std::string& name, const Var& n_steps, int save_every_N, bool padding) {
  const std::string who = str_cat("[scan_checkpoints ", name, "]");
  if (save_every_N < 1) value_error(who, " save_every_N must be >= 1, got ", save_every_N);
  for (const auto& oi : outputs_info)
    if (oi.initial && !(oi.taps.empty() || ScanInfo::is_sit_sot(oi.taps)))
      value_error(who, " only singly-recurrent outputs (taps [-1]) are supported");
  if (sequences.empty() && !n_steps) value_error(who, " give n_steps or at least one sequence");
  const Var N = int64_constant(save_every_N);
  Var length = n_steps ? cast(as_tensor_variable(n_steps), DType::Int64) : shape_i(sequences[0], 0);
  Var n_chunks = int_div(add(length, int64_constant(save_every_N - 1)), N);
  Var padded = mul(n_chunks, N);
  // Chunked sequences (n_chunks, N, ...), and the number of steps of each chunk.
  std::vector<ScanSequence> outer_seqs;
  for (size_t s = 0; s < sequences.size(); ++s) {
    Var x = sequences[s];
    if (x.type()->kind() != TypeKind::Tensor || x.type()->ndim() < 1)
      type_error(who, " sequence ", s, " must be a tensor with a leading axis, got ", x.type()->str());
    std::vector<Var> rest;
    for (int d = 1; d < x.type()->ndim(); ++d) rest.push_back(shape_i(x, d));
    if (padding) {
      std::vector<Var> pad_shape{sub(padded, length)};
      pad_shape.insert(pad_shape.end(), rest.begin(), rest.end());
      x = concatenate({subtensor(x, {IndexEntry::slice(0, length)}), zeros(pad_shape, x.type()->dtype())}, 0);
    }
    std::vector<Var> shape{n_chunks, N};
    shape.insert(shape.end(), rest.begin(), rest.end());
    outer_seqs.emplace_back(reshape(x, shape));
  }
  outer_seqs.emplace_back(minimum(N, sub(length, mul(arange(n_chunks), N))));
  const size_t n_seqs = sequences.size();
  const size_t n_states = outputs_info.size();
  ScanFn outer_step = [&, n_seqs, n_states](const std::vector<Var>& a) {
    std::vector<ScanSequence> chunk(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n_seqs));
    const Var& steps = a[n_seqs];
    std::vector<ScanOutputInfo> infos;
    size_t k = n_seqs + 1;
    for (const auto& oi : outputs_info) infos.push_back(oi.initial ? ScanOutputInfo(a[k++]) : ScanOutputInfo());
    std::vector<Var> ns(a.begin() + static_cast<std::ptrdiff_t>(k), a.end());
    ScanOptions io;
    io.n_steps = steps;
    io.name = name + "_inner";
    io.outputs_info_given = n_states > 0;
    ScanResult r = scan(fn, chunk, infos, ns, io);
    ScanStep out;
    for (const Var& v : r.outputs) out.outputs.push_back(subtensor(v, -1));
    out.updates = r.updates;
    return out;
  };
  ScanOptions oo;
  oo.n_steps = n_chunks;
  oo.name = name + "_outer";
  oo.outputs_info_given = !outputs_info.empty();
  return scan(outer_step, outer_seqs, outputs_info, non_sequences, oo);
}

}  // namespace hypatia
