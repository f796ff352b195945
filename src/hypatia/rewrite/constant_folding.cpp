// Constant folding: run foldable all-constant nodes once and substitute constant outputs.
#include "hypatia/rewrite/constant_folding.h"

namespace hypatia {

NodeRewriterPtr constant_folding_rewriter() {
  static const NodeRewriterPtr rw = make_node_rewriter(
      "constant_folding", Tracks{}, [](FunctionGraph&, Apply* node) -> std::optional<std::vector<Var>> {
        std::vector<const Value*> ins;
        ins.reserve(node->nin());
        for (const auto& in : node->inputs()) {
          if (in->owner || !in->is_constant()) return std::nullopt;
          ins.push_back(in->constant.get());
        }
        if (!node->op()->constant_foldable(*node)) return std::nullopt;
        for (int i = 0; i < node->nout(); ++i) {
          TypeKind k = node->out(i)->type->kind();
          if (k == TypeKind::Null || k == TypeKind::Disconnected) return std::nullopt;
        }
        std::vector<Value> outs(node->nout());
        std::vector<Var> repl;
        try {
          node->op()->perform(*node, ins.data(), outs.data());
          for (int i = 0; i < node->nout(); ++i) {
            if (is_empty(outs[i])) return std::nullopt;
            repl.push_back(make_constant(node->out(i)->type, std::move(outs[i])));
          }
        } catch (const Error&) {
          return std::nullopt;  // leave it to run time, where the error gets its full context
        }
        return repl;
      });
  return rw;
}

GraphRewriterPtr constant_folding() { return in2out("constant_folding", {constant_folding_rewriter()}); }

}  // namespace hypatia
