// bench_limits: issue 13's table (SpMV, CSR·dense, SDDMM, A+B, A∘B, A·B, row sums, dense->CSR) for
// Hypatia, Eigen and GraphBLAS on the same inputs at 1 and 2 threads, with each row's bound from
// the measured triad bandwidth / gather cost, and a size sweep. See bench/README.md.
//
// Usage: bench_limits [--quick] [--no-sweep] [--big] [--warm] [--min-time=S] [Google Benchmark flags]
//   --quick     inputs 10x smaller, sweep to 10^6 (a run of about a minute)
//   --no-sweep  only the table rows;  --big  adds the 10^8 CSR·dense sweep point (about 2.3 GB)
//   --min-time  seconds of repeats per benchmark after the first three (default 0.3)
//   --warm      time calls (and the triad) without flushing the caches before each (limits::cold)
// One benchmark per row and thread count times the libraries in turn and reports Hypatia's best
// (the machine is shared: best-of, interleaved, is the least noisy estimate), with the others,
// the ratios, the bound and Hypatia's fraction of it as counters; a summary table ends the run.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "limits_common.h"

using namespace limits;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

bool g_quick = false, g_sweep = true, g_big = false;
double g_min_time = 0.3;
double g_bw[3] = {0, 0, 0};  // triad bytes/s at 1 and 2 threads

// A row: how to make its inputs, and its bound in seconds at t threads with the model named.
struct Row {
  std::string name;
  std::function<Inputs()> make;
  std::string model;
  std::function<double(const Inputs&, int)> bound;
  bool sweep = false;  // a size-sweep point: Hypatia only
};

// Entries of a ∪ b (union) or a ∩ b (intersection), counted by merging the sorted rows.
int64_t merged_nnz(const Csr& a, const Csr& b, bool intersect) {
  int64_t n = 0;
  for (int64_t i = 0; i < a.rows; ++i) {
    int32_t p = a.ptr[i], q = b.ptr[i];
    const int32_t pe = a.ptr[i + 1], qe = b.ptr[i + 1];
    int64_t common = 0;
    while (p < pe && q < qe) {
      if (a.idx[p] == b.idx[q]) ++common, ++p, ++q;
      else if (a.idx[p] < b.idx[q]) ++p;
      else ++q;
    }
    n += intersect ? common : (a.ptr[i + 1] - a.ptr[i]) + (b.ptr[i + 1] - b.ptr[i]) - common;
  }
  return n;
}

// ---- bounds (seconds). "bytes": compulsory bytes (every operand read once, the output written
// once) ÷ triad bandwidth measured at the same footprint, from cold caches as the rows are timed
// (limits::cold(); with --warm a cache-resident row is held to cache bandwidth). "gather":
// max(bytes model, gathers × measured gather cost at t threads from a table of the gathered
// operand's size) -- the gather cost already divides by the threads.
double bytes_bound(double bytes, int t) { return bytes / triad_bandwidth_at(t, bytes); }

double spmv_bytes(const Inputs& in) { return in.a.bytes() + 8.0 * in.a.cols + 8.0 * in.a.rows; }
double spmv_gather_bound(const Inputs& in, int t) {  // model: gather (x[col] per stored entry)
  return std::max(bytes_bound(spmv_bytes(in), t), in.a.nnz() * gather_cost(in.a.cols, 1, t, in.a.nnz()));
}
double spmv_band_bound(const Inputs& in, int t) { return bytes_bound(spmv_bytes(in), t); }  // model: bytes (x is cache-resident along the band)
// model: cached. One k-wide row of the dense operand per stored entry, read from the caches
// that hold the operand no faster than a warm stream from them. A kernel may panel the operand
// down to one 64-byte line per row, so that L2 holds a share L2 / (rows x 64 bytes) of each
// panel: that share at L2's stream rate, the rest at the rate of a stream of the whole operand
// (L3 here). The kernels' column panels beat every gather loop of gather_cost by 1.5-2x, so
// that figure is no bound for them; this one is.
double cached_gather_bound(const Inputs& in, int t, double bytes, const Dense& gathered) {
  const double k = gathered.cols, table = 8.0 * gathered.rows * k, moved = in.a.nnz() * 8.0 * k;
  const double l2 = l2_bytes(), in_l2 = std::min(1.0, l2 / (64.0 * gathered.rows));
  const double from_caches =
      moved * (in_l2 / cached_read_bandwidth(t, t * l2 / 2) + (1 - in_l2) / cached_read_bandwidth(t, table));
  return std::max(bytes_bound(bytes, t), from_caches);
}
double spmm_bound(const Inputs& in, int t) {
  const double k = in.x.cols;
  return cached_gather_bound(in, t, in.a.bytes() + 8.0 * in.x.rows * k + 8.0 * in.a.rows * k, in.x);
}
double sddmm_bound(const Inputs& in, int t) {
  const double k = in.x.cols;
  return cached_gather_bound(in, t, in.a.bytes() + in.a.nnz() * 12.0 + 4.0 * (in.a.rows + 1) + 8.0 * in.x.rows * k, in.y);
}
double elemwise_bound(const Inputs& in, int t, bool intersect) {  // model: bytes (a, b read; c written)
  const int64_t nc = merged_nnz(in.a, in.b, intersect);
  return bytes_bound(in.a.bytes() + in.b.bytes() + 12.0 * nc + 4.0 * (in.a.rows + 1), t);
}
// Entries of the product a . b (the distinct columns each row of a reaches through b's rows),
// and the products that make them (one per pair of a stored entry of a and one of its b row).
std::pair<int64_t, int64_t> product_counts(const Csr& a, const Csr& b) {
  std::vector<int64_t> seen(b.cols, -1);
  int64_t n = 0, products = 0;
  for (int64_t i = 0; i < a.rows; ++i)
    for (int32_t p = a.ptr[i]; p < a.ptr[i + 1]; ++p)
      for (int32_t q = b.ptr[a.idx[p]]; q < b.ptr[a.idx[p] + 1]; ++q, ++products)
        if (seen[b.idx[q]] != i) seen[b.idx[q]] = i, ++n;
  return {n, products};
}
// model: gather. Each stored entry of a gathers one row of b (indices and values), and each
// product lands on a random column of the row's accumulator (b.cols entries): the gathers of
// both kinds at their measured cost, or the bytes if those are more.
double spgemm_bound(const Inputs& in, int t) {
  const auto [nnz, products] = product_counts(in.a, in.b);
  const double bytes = in.a.bytes() + in.b.bytes() + 12.0 * nnz + 4.0 * (in.a.rows + 1);
  const int width = static_cast<int>(std::lround(12.0 * in.b.nnz() / std::max<int64_t>(1, in.b.rows) / 8.0));
  const double gathers = in.a.nnz() * gather_cost(in.b.rows, std::max(1, width), t, in.a.nnz()) +
                         products * gather_cost(in.b.cols, 1, t, products);
  return std::max(bytes_bound(bytes, t), gathers);
}
double rowsum_bound(const Inputs& in, int t) {  // model: bytes (values and row pointers read, sums written; no indices needed)
  return bytes_bound(8.0 * in.a.nnz() + 4.0 * (in.a.rows + 1) + 8.0 * in.a.rows, t);
}
double to_csr_bound(const Inputs& in, int t) {  // model: bytes (dense read once, CSR written once)
  int64_t nnz = 0;
  for (double v : in.x.v) nnz += v != 0;
  return bytes_bound(in.x.bytes() + 12.0 * nnz + 4.0 * (in.x.rows + 1), t);
}

std::vector<Row> make_rows() {
  const int64_t big = g_quick ? 100'000 : 1'000'000, mid = g_quick ? 10'000 : 100'000;
  const int64_t dn = g_quick ? 3'000 : 10'000;
  const std::string B = g_quick ? "100k" : "1M", Mi = g_quick ? "10k" : "100k", D = g_quick ? "3k" : "10k";
  std::vector<Row> rows;
  rows.push_back({"SpMV " + B + "^2 10/row random", [=] { return Inputs{Op::SpMV, random_csr(big, big, 10, 1), {}, random_dense(big, 1, 2), {}}; },
                  "gather", spmv_gather_bound});
  rows.push_back({"SpMV " + B + "^2 banded +-512", [=] { return Inputs{Op::SpMV, random_csr(big, big, 10, 3, 512), {}, random_dense(big, 1, 4), {}}; },
                  "bytes", spmv_band_bound});
  for (int per : {10, 100})
    rows.push_back({"CSR.dense " + Mi + "^2 " + std::to_string(per) + "/row k=64",
                    [=] { return Inputs{Op::SpMM, random_csr(mid, mid, per, 5 + per), {}, random_dense(mid, 64, 6), {}}; },
                    "cached", spmm_bound});
  rows.push_back({"SDDMM " + Mi + "^2 10/row k=64",
                  [=] { return Inputs{Op::SDDMM, random_csr(mid, mid, 10, 7), {}, random_dense(mid, 64, 8), random_dense(mid, 64, 9)}; },
                  "cached", sddmm_bound});
  for (bool add : {true, false})
    rows.push_back({std::string(add ? "A+B " : "A*B (elementwise) ") + B + "^2 10/row half overlap",
                    [=] {
                      Inputs in{add ? Op::Add : Op::Mul, random_csr(big, big, 10, 10), {}, {}, {}};
                      in.b = half_overlap(in.a, 11);
                      return in;
                    },
                    "bytes", [add](const Inputs& in, int t) { return elemwise_bound(in, t, !add); }});
  rows.push_back({"A.B (sparse) " + Mi + "^2 10/row",
                  [=] { return Inputs{Op::SpGEMM, random_csr(mid, mid, 10, 14), random_csr(mid, mid, 10, 15), {}, {}}; },
                  "gather", spgemm_bound});
  // Rows of 1600 products (the accumulator's path, past the short rows' 256) over 10k columns
  // (a result of 190 MB, which the buffer cache keeps between calls, as it does the 10/row one's).
  const int64_t small = g_quick ? 4'000 : 10'000;
  const std::string Sm = g_quick ? "4k" : "10k";
  rows.push_back({"A.B (sparse) " + Sm + "^2 40/row",
                  [=] { return Inputs{Op::SpGEMM, random_csr(small, small, 40, 16), random_csr(small, small, 40, 17), {}, {}}; },
                  "gather", spgemm_bound});
  rows.push_back({"row sums " + B + "^2 10/row", [=] { return Inputs{Op::RowSum, random_csr(big, big, 10, 12), {}, {}, {}}; },
                  "bytes", rowsum_bound});
  rows.push_back({"dense->CSR " + D + "^2 1%", [=] { return Inputs{Op::DenseToCsr, {}, {}, random_sparse_dense(dn, dn, 0.01, 13), {}}; },
                  "bytes", to_csr_bound});
  if (g_sweep) {
    // Size sweep: 10 stored entries per row, square. CSR.dense stops at 10^7 by default: at
    // 10^8 (10^7 rows) its dense operand and output take 10 GB; --big adds a 10^8 point with
    // 100/row (10^6 rows, 2.3 GB in all).
    const int64_t top = g_quick ? 1'000'000 : 100'000'000;
    for (int64_t nnz = 10'000; nnz <= top; nnz *= 10) {
      const int64_t n = nnz / 10;
      char name[64];
      std::snprintf(name, sizeof name, "sweep SpMV nnz=1e%d", static_cast<int>(std::lround(std::log10(nnz))));
      rows.push_back({name, [=] { return Inputs{Op::SpMV, random_csr(n, n, 10, 20), {}, random_dense(n, 1, 21), {}}; },
                      "gather", spmv_gather_bound, true});
    }
    for (int64_t nnz = 10'000; nnz <= std::min<int64_t>(top, g_big ? 100'000'000 : 10'000'000); nnz *= 10) {
      const int per = nnz > 10'000'000 ? 100 : 10;
      const int64_t n = nnz / per;
      char name[64];
      std::snprintf(name, sizeof name, "sweep CSR.dense k=64 nnz=1e%d", static_cast<int>(std::lround(std::log10(nnz))));
      rows.push_back({name, [=] { return Inputs{Op::SpMM, random_csr(n, n, per, 22), {}, random_dense(n, 64, 23), {}}; },
                      "cached", spmm_bound, true});
    }
  }
  return rows;
}

// ---- state: the current row's inputs and prepared libraries (one row in memory at a time) ----
std::vector<Row> g_rows;
std::vector<Library> g_libs;
int g_current = -1;
std::unique_ptr<Inputs> g_inputs;
std::map<std::string, Prepared> g_prepared;                    // lib -> prepared, for g_current
std::map<std::tuple<int, std::string, int>, double> g_best;     // (row, lib, threads) -> seconds
std::map<std::pair<int, std::string>, double> g_checksum;       // (row, lib) -> sum of the output
std::map<std::pair<int, int>, double> g_bound;                  // (row, threads) -> seconds

const Inputs& inputs_for(int r) {
  if (g_current != r) {
    g_prepared.clear();
    g_inputs.reset();
    g_inputs = std::make_unique<Inputs>(g_rows[r].make());
    g_current = r;
  }
  return *g_inputs;
}

// One benchmark per (row, threads): the libraries are timed in turn, repeat after repeat
// (interleaved, so that a change in the shared machine's load hits them alike); each keeps its
// best. The reported time is Hypatia's; the others, the ratios and the bound are counters.
void run_row(benchmark::State& state, int r, int t) {
  const Inputs& in = inputs_for(r);
  std::vector<Prepared*> live;
  std::vector<std::string> names;
  std::string label;
  for (Library& lib : g_libs) {
    if (g_rows[r].sweep && lib.name != "Hypatia") continue;
    lib.set_threads(t);
    auto it = g_prepared.find(lib.name);
    if (it == g_prepared.end()) {
      it = g_prepared.emplace(lib.name, lib.prepare(in)).first;
      if (it->second.skip.empty() && !g_rows[r].sweep) g_checksum[{r, lib.name}] = it->second.checksum();
    }
    if (!it->second.skip.empty()) {
      label += (label.empty() ? "" : "; ") + it->second.skip;
      continue;
    }
    live.push_back(&it->second);
    names.push_back(lib.name);
  }
  std::vector<double> best(live.size(), std::numeric_limits<double>::infinity());
  for (auto _ : state) {
    const double w0 = now();
    for (Prepared* p : live) p->run();  // warm-up (page faults of a first output, thread start-up)
    // Three repeats at least; two when one call takes seconds (the sweep's top sizes).
    const int min_reps = now() - w0 > 1.0 * live.size() ? 2 : 3;
    double total = 0;
    // The libraries take turns, so that a change of load on the shared machine hits them alike;
    // each timed call starts from flushed caches, as the bound's triad does (limits::cold()).
    const int max_reps = cold() ? 20 : 100;  // a flush takes about 50 ms
    for (int reps = 0; reps < min_reps || (total < g_min_time * live.size() && reps < max_reps); ++reps)
      for (size_t i = 0; i < live.size(); ++i) {
        if (cold()) flush_caches();
        const double t0 = now();
        live[i]->run();
        const double dt = now() - t0;
        best[i] = std::min(best[i], dt);
        total += dt;
      }
    state.SetIterationTime(best[0]);
  }
  for (size_t i = 0; i < live.size(); ++i) g_best[{r, names[i], t}] = best[i];
  if (!g_bound.count({r, t})) g_bound[{r, t}] = g_rows[r].bound(in, t);
  const double bound = g_bound[{r, t}], h = best[0];
  state.counters["bound_ms"] = bound * 1e3;
  state.counters["frac"] = bound / h;
  for (size_t i = 1; i < live.size(); ++i) {
    const std::string short_name = names[i] == "GraphBLAS" ? "GrB" : names[i];
    state.counters[short_name + "_ms"] = best[i] * 1e3;
    state.counters["H/" + short_name] = h / best[i];
  }
  if (in.op == Op::SpMV || in.op == Op::SpMM) state.counters["ns/nnz"] = h * 1e9 / in.a.nnz();
  if (!label.empty()) state.SetLabel(label);
}

std::string ms(double s) {
  char b[32];
  if (std::isnan(s)) return "-";
  std::snprintf(b, sizeof b, s < 0.01 ? "%.3f" : "%.1f", s * 1e3);
  return b;
}
std::string ratio(double a, double b) {
  char buf[32];
  if (std::isnan(a) || std::isnan(b)) return "-";
  std::snprintf(buf, sizeof buf, "%.2f", a / b);
  return buf;
}

double best_of(int r, const std::string& lib, int t) {
  auto it = g_best.find({r, lib, t});
  return it == g_best.end() ? std::nan("") : it->second;
}

void print_summary() {
  std::printf("\n== bench_limits summary: best of repeats; X/Y < 1 means Hypatia (H) is faster; frac = bound / H time ==\n");
  std::printf("machine: triad %.1f GB/s (1T), %.1f GB/s (2T); random-load latency %.1f ns (8 MB table), %.1f ns (1 GB)\n",
              g_bw[1] / 1e9, g_bw[2] / 1e9, chase_latency(8 << 20) * 1e9, chase_latency(int64_t{1} << 30) * 1e9);
  std::printf("gather cost (independent loads, best of plain and prefetched, ns per gather, all threads together):");
  std::printf(" 1M-double table %.2f (1T) %.2f (2T); 100k x 64 rows %.1f (1T) %.1f (2T)\n",
              gather_cost(1'000'000, 1, 1, 10'000'000) * 1e9, gather_cost(1'000'000, 1, 2, 10'000'000) * 1e9,
              gather_cost(100'000, 64, 1, 1'000'000) * 1e9, gather_cost(100'000, 64, 2, 1'000'000) * 1e9);
  const double l2 = l2_bytes();
  std::printf("cached stream (warm reads): half of L2 per thread %.0f (1T) %.0f (2T) GB/s; 51 MB %.1f (1T) %.1f (2T) GB/s\n",
              cached_read_bandwidth(1, l2 / 2) / 1e9, cached_read_bandwidth(2, l2) / 1e9,
              cached_read_bandwidth(1, 51.2e6) / 1e9, cached_read_bandwidth(2, 51.2e6) / 1e9);
  std::printf("%-36s %2s %10s %9s %9s %8s %8s %9s %6s %7s %s\n", "row", "T", "H ms", "Eigen ms", "GrB ms", "H/Eigen",
              "H/GrB", "bound ms", "frac", "model", "check");
  for (int r = 0; r < static_cast<int>(g_rows.size()); ++r)
    for (int t : {1, 2}) {
      const double h = best_of(r, "Hypatia", t), e = best_of(r, "Eigen", t), g = best_of(r, "GraphBLAS", t);
      if (std::isnan(h) && std::isnan(e) && std::isnan(g)) continue;
      auto bi = g_bound.find({r, t});
      const double bound = bi == g_bound.end() ? std::nan("") : bi->second;
      std::string check = "-";  // "ok" when another library's output sum agrees with Hypatia's
      auto hc = g_checksum.find({r, "Hypatia"});
      for (const char* other : {"Eigen", "GraphBLAS"}) {
        auto oc = g_checksum.find({r, other});
        if (hc == g_checksum.end() || oc == g_checksum.end()) continue;
        if (std::abs(hc->second - oc->second) > 1e-6 * (1 + std::abs(hc->second)))
          check = std::string("MISMATCH vs ") + other;
        else if (check == "-")
          check = "ok";
      }
      char frac[16] = "-";
      if (!std::isnan(h) && !std::isnan(bound)) std::snprintf(frac, sizeof frac, "%.2f", bound / h);
      std::printf("%-36s %2d %10s %9s %9s %8s %8s %9s %6s %7s %s\n", g_rows[r].name.c_str(), t, ms(h).c_str(),
                  ms(e).c_str(), ms(g).c_str(), ratio(h, e).c_str(), ratio(h, g).c_str(), ms(bound).c_str(), frac,
                  g_rows[r].model.c_str(), check.c_str());
    }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) g_quick = true;
    else if (!std::strcmp(argv[i], "--no-sweep")) g_sweep = false;
    else if (!std::strcmp(argv[i], "--big")) g_big = true;
    else if (!std::strcmp(argv[i], "--warm")) set_cold(false);
    else if (!std::strncmp(argv[i], "--min-time=", 11)) g_min_time = std::atof(argv[i] + 11);
    else rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 1;

  const int64_t triad_n = g_quick ? 10'000'000 : 40'000'000;  // 3 arrays of 320 MB: beyond any cache
  g_bw[1] = triad_bandwidth(1, triad_n);
  g_bw[2] = triad_bandwidth(2, triad_n);
  std::printf("triad: %.1f GB/s at 1 thread, %.1f GB/s at 2 threads\n", g_bw[1] / 1e9, g_bw[2] / 1e9);

  g_libs.push_back(hypatia_library());
#ifdef LIMITS_HAVE_EIGEN
  g_libs.push_back(eigen_library());
#else
  std::printf("Eigen 3 was not found at configure time: its column is skipped\n");
#endif
#ifdef LIMITS_HAVE_GRAPHBLAS
  g_libs.push_back(graphblas_library());
#else
  std::printf("GraphBLAS was not found at configure time: its column is skipped\n");
#endif

  g_rows = make_rows();
  for (int r = 0; r < static_cast<int>(g_rows.size()); ++r)
    for (int t : {1, 2}) {
      const std::string name = g_rows[r].name + "/threads:" + std::to_string(t);
      benchmark::RegisterBenchmark(name.c_str(), [r, t](benchmark::State& s) { run_row(s, r, t); })
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  benchmark::RunSpecifiedBenchmarks();
  print_summary();
  benchmark::Shutdown();
  return 0;
}
