// Scan's rewrites (Theano's scan_opt): unused outputs and inputs, loop-invariant code, merging loops, saving memory.
#pragma once
#include "hypatia/rewrite/db.h"

namespace hypatia {

/// Registers into canonicalize (tags "fast_run", "scan"):
///  - local_scan_remove_unused (Theano's remove_constants_and_unused_inputs_scan): drops the
///    outputs no client uses with the inner computation only they need, the inputs the inner
///    graph does not read and repeated outer inputs, and inlines constant non-sequences. The
///    gradient's reversed scan computes every input's gradient; this makes the unused ones free.
///  - local_scan_push_out_non_seq (PushOutNonSeqScan): inner nodes that depend only on
///    non-sequences and constants are computed once before the loop and passed in.
///  - local_scan_push_out_seq (PushOutSeqScan, elementwise nodes only): elementwise work on
///    tap-0 sequence slices (and invariants) is done once over the whole sequences.
///  - local_scan_merge (ScanMerge): two independent loops over the same number of steps with
///    the same direction and truncation (and no until) become one.
///  - local_scan_merge_inouts (scan_merge_inouts): outputs of one loop that compute the same
///    thing (nit_sots, or states with equal initials) are computed once.
void register_scan_canonicalize(RewriteDatabase& db);

/// Registers into specialize (tags "fast_run", "scan"), after the canonical forms are reached:
///  - local_scan_save_mem (ScanSaveMem): a sit_sot state whose trace is only read through its
///    last row (x[-1]) is carried instead, so the loop keeps one step of it, not n_steps.
///  - local_scan_remove_unused again, for what the phases in between made unused.
void register_scan_specialize(RewriteDatabase& db);

}  // namespace hypatia
