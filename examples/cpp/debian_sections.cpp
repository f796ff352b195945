// The Debian Section classifier (examples/debian_sections.py) written against the C++ API:
// a bag-of-words CSR matrix built by hand, softmax regression through sparse::structured_dot,
// grad, and updates on shared weights.
#include <hypatia/hypatia.h>
#include <hypatia/sparse/basic.h>
#include <hypatia/sparse/products.h>
#include <hypatia/tensor/reduce.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>

using namespace hypatia;

namespace {

// The text of an apt list (apt-helper decompresses whatever format apt stored) or dpkg status.
std::string read_list(const std::string& path) {
  std::string cmd = "/usr/lib/apt/apt-helper cat-file '" + path + "' 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

std::vector<std::string> tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + " ") {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(c)) || (c == '+' && !cur.empty())) {
      cur += c;
    } else {
      if (cur.size() >= 2) out.push_back(cur);
      cur.clear();
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 3;
  // 1. (description, section) pairs from the package lists.
  std::map<std::string, std::string> pairs;
  std::vector<std::string> files;
  if (std::filesystem::exists("/var/lib/apt/lists"))
    for (const auto& e : std::filesystem::directory_iterator("/var/lib/apt/lists"))
      if (e.path().filename().string().find("_Packages") != std::string::npos) files.push_back(e.path());
  if (files.empty()) files.push_back("/var/lib/dpkg/status");
  for (const auto& f : files) {
    std::istringstream in(read_list(f));
    std::string line, pkg, desc, sec;
    auto flush = [&] {
      if (!desc.empty() && !sec.empty()) pairs[pkg + " " + desc] = sec.substr(sec.rfind('/') + 1);
      pkg.clear(), desc.clear(), sec.clear();
    };
    while (std::getline(in, line)) {
      if (line.empty()) flush();
      else if (line.rfind("Package: ", 0) == 0) pkg = line.substr(9);
      else if (line.rfind("Description: ", 0) == 0) desc = line.substr(13);
      else if (line.rfind("Section: ", 0) == 0) sec = line.substr(9);
    }
    flush();
  }
  if (pairs.empty()) {
    std::fprintf(stderr, "no package lists found: run apt-get update first\n");
    return 1;
  }
  // 2. Vocabulary (tokens in at least two descriptions) and the CSR matrix of log(1 + count).
  std::vector<std::vector<std::string>> docs;
  std::vector<std::string> labels;
  std::unordered_map<std::string, int> df;
  for (const auto& [text, sec] : pairs) {
    docs.push_back(tokens(text));
    labels.push_back(sec);
    std::vector<std::string> uniq = docs.back();
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    for (const auto& t : uniq) ++df[t];
  }
  std::unordered_map<std::string, int32_t> vocab;
  for (const auto& [t, c] : df)
    if (c >= 2) vocab.emplace(t, static_cast<int32_t>(vocab.size()));
  std::vector<std::string> sections(labels);
  std::sort(sections.begin(), sections.end());
  sections.erase(std::unique(sections.begin(), sections.end()), sections.end());
  const int64_t n = static_cast<int64_t>(docs.size()), V = static_cast<int64_t>(vocab.size()),
                C = static_cast<int64_t>(sections.size());
  std::vector<int64_t> y(n);
  for (int64_t i = 0; i < n; ++i)
    y[i] = std::lower_bound(sections.begin(), sections.end(), labels[i]) - sections.begin();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(0));
  auto rows_to_csr = [&](const std::vector<int64_t>& rows) {
    std::vector<int32_t> indptr{0}, indices;
    std::vector<double> data;
    for (int64_t r : rows) {
      std::map<int32_t, int> counts;
      for (const auto& t : docs[r])
        if (auto it = vocab.find(t); it != vocab.end()) ++counts[it->second];
      for (auto [j, c] : counts) {
        indices.push_back(j);
        data.push_back(std::log1p(static_cast<double>(c)));
      }
      indptr.push_back(static_cast<int32_t>(indices.size()));
    }
    const int64_t nnz = static_cast<int64_t>(data.size());
    return SparseMatrix(SparseFormat::CSR, static_cast<int64_t>(rows.size()), V, NDArray::from_vector(data, {nnz}),
                        NDArray::from_vector(indices, {nnz}), NDArray::from_vector(indptr, {static_cast<int64_t>(indptr.size())}));
  };
  auto labels_of = [&](const std::vector<int64_t>& rows) {
    std::vector<int64_t> v;
    for (int64_t r : rows) v.push_back(y[r]);
    return NDArray::from_vector(v, {static_cast<int64_t>(v.size())});
  };
  const int64_t n_test = n / 10;
  std::vector<int64_t> test(order.begin(), order.begin() + n_test), train(order.begin() + n_test, order.end());
  std::printf("%lld packages, %lld sections, %lld features\n", static_cast<long long>(n), static_cast<long long>(C),
              static_cast<long long>(V));

  // 3. The model: softmax(x . W + b) trained by SGD on the mean cross-entropy.
  Var x = sparse::csr_matrix("x", DType::Float64);
  Var yv = vector(DType::Int64, "y");
  Var W = shared(NDArray::zeros(DType::Float64, {V, C}), "W");
  Var b = shared(NDArray::zeros(DType::Float64, {C}), "b");
  Var p_y = softmax(sparse::structured_dot(x, W) + b);
  Var loss = mean(categorical_crossentropy(p_y, yv));
  std::vector<Var> g = grad(loss, {W, b});
  FunctionOptions upd;
  upd.updates = {{W, W - 1.0 * g[0]}, {b, b - 1.0 * g[1]}};
  auto train_step = function({x, yv}, {loss}, upd);
  auto predict = function({x}, {argmax(p_y, std::vector<int>{1})});
  SparseMatrix Xte = rows_to_csr(test);
  NDArray yte = labels_of(test);
  auto accuracy = [&] {
    NDArray pred = std::get<NDArray>((*predict)({Xte})[0]);
    int64_t ok = 0;
    for (int64_t i = 0; i < n_test; ++i) ok += pred.data<int64_t>()[i] == yte.data<int64_t>()[i];
    return static_cast<double>(ok) / static_cast<double>(n_test);
  };
  std::mt19937_64 gen(1);
  const size_t batch = 256;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    auto t0 = std::chrono::steady_clock::now();
    std::shuffle(train.begin(), train.end(), gen);
    double total = 0;
    int steps = 0;
    for (size_t s = 0; s < train.size(); s += batch, ++steps) {
      std::vector<int64_t> rows(train.begin() + s, train.begin() + std::min(train.size(), s + batch));
      total += std::get<NDArray>((*train_step)({rows_to_csr(rows), labels_of(rows)})[0]).item<double>();
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("epoch %d  loss %.4f  held-out accuracy %.3f  (%.2f s/epoch)\n", epoch, total / steps, accuracy(), secs);
  }
  std::vector<int64_t> counts(C, 0);
  for (int64_t r : train) ++counts[y[r]];
  int64_t majority = std::max_element(counts.begin(), counts.end()) - counts.begin();
  int64_t base = 0;
  for (int64_t i = 0; i < n_test; ++i) base += yte.data<int64_t>()[i] == majority;
  std::printf("held-out accuracy %.3f; majority-class baseline ('%s') %.3f\n", accuracy(), sections[majority].c_str(),
              static_cast<double>(base) / static_cast<double>(n_test));
  return 0;
}
