#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_sparse_boundary (tests/fuzz/corpus/) in its input layout.

Each seed is one named case: the shapes (degenerate ones included), index dtypes, unsorted
indices, duplicates, explicit zeros, entries past nnz, NaN/inf, a dtype the function must
convert or refuse, and one of each corruption and malformed-array kind. The byte layout is
documented at the top of fuzz_sparse_boundary.cpp; run this script after changing it.
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parent / "corpus"


def seed(csc=False, f64=False, idx64=False, ptr64=False, rows=3, cols=4, steps=None,
         indices=None, data=None, extra=0, specials=False, malform=None, raw_ptr=None,
         other_dtype=False, corruption=0, corruption_bytes=b"", wild=None, r=(0, 2), y=b""):
    """One input: steps[o] entries in outer slice o, their inner indices and data (i8, value/4)."""
    outer, inner = (cols, rows) if csc else (rows, cols)
    flags = (csc * 1 | f64 * 2 | idx64 * 4 | ptr64 * 8 | (wild is not None) * 16 | specials * 32
             | (malform is not None) * 64 | (raw_ptr is not None) * 128)
    out = bytearray([flags, other_dtype * 1 | (corruption << 1)])
    if wild is not None:
        out += struct.pack("<qq", *wild)
    else:
        out += bytes([rows, cols])
    out += bytes([extra, malform or 0])
    if wild is not None:
        outer = wild[1] if csc else wild[0]
        if not 0 <= outer <= 32:  # the decoder reads indptr's length only for such shapes
            out += bytes([len(raw_ptr)])
    if raw_ptr is not None:
        out += struct.pack(f"<{len(raw_ptr)}b", *raw_ptr)
        nnz = max(0, raw_ptr[-1]) if raw_ptr else 0
    else:
        steps = steps if steps is not None else [1] * outer
        assert len(steps) == outer and all(0 <= s < 6 for s in steps)
        out += bytes(steps)
        nnz = sum(steps)
    n_data = nnz + (extra & 3)
    n_idx = n_data + (1 if extra & 4 else 0)
    indices = list(indices if indices is not None else [k % max(inner, 1) for k in range(n_idx)])
    data = list(data if data is not None else [(4 * (k % 5) - 6) for k in range(n_data)])
    assert len(indices) == n_idx and len(data) == n_data, (len(indices), n_idx, len(data), n_data)
    out += bytes(indices) + struct.pack(f"<{n_data}b", *data) + corruption_bytes
    out += struct.pack("<bb", *r) + y
    return bytes(out)


def cases():
    c = {}
    c["csr_f32_3x4_sorted"] = seed()
    c["csc_f64_3x4_sorted"] = seed(csc=True, f64=True)
    c["csr_f64_unsorted_dups"] = seed(f64=True, steps=[3, 0, 2], indices=[3, 0, 3, 1, 1], r=(-2, 5),
                                      y=bytes([2, 1, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))
    c["csc_f32_unsorted_dups"] = seed(csc=True, steps=[2, 0, 3, 1], indices=[2, 2, 1, 0, 1, 0],
                                      y=bytes([3, 3, 3, 3, 9, 8, 7, 6, 5, 4, 3, 2, 1]))
    c["csr_explicit_zeros"] = seed(data=[0, 4, 0], r=(1, 1))
    c["csr_cancelling_dups"] = seed(steps=[2, 0, 1], indices=[1, 1, 2], data=[8, -8, 4])
    for name, (rw, cl) in {"0x0": (0, 0), "0x5": (0, 5), "5x0": (5, 0), "1x1": (1, 1)}.items():
        for csc in (False, True):
            c[f"{'csc' if csc else 'csr'}_{name}"] = seed(csc=csc, rows=rw, cols=cl, r=(0, 3))
    c["csr_empty_data"] = seed(steps=[0, 0, 0])
    c["csc_empty_rows_cols"] = seed(csc=True, rows=6, cols=3, steps=[0, 2, 0], indices=[5, 0])
    c["csr_int64_indices"] = seed(idx64=True, f64=True)
    c["csr_int64_indptr"] = seed(ptr64=True)
    c["csc_mixed_index_dtypes"] = seed(csc=True, idx64=True)
    c["csr_32x32"] = seed(rows=32, cols=32, steps=[k % 5 for k in range(32)], r=(-40, 40))
    c["csr_trailing_entries"] = seed(extra=3, specials=True, data=[4, 8, -4, 127, -128, 126])
    c["csr_nan_inf"] = seed(specials=True, data=[127, -128, 126])
    c["csr_f32_into_f64"] = seed(other_dtype=True)
    c["csr_f64_into_f32"] = seed(f64=True, other_dtype=True)
    c["bad_lengths_differ"] = seed(extra=4 | 1)
    c["bad_decreasing_indptr"] = seed(raw_ptr=[0, 2, 1, 3])
    c["bad_indptr0"] = seed(raw_ptr=[1, 2, 3, 3])
    c["bad_negative_indptr"] = seed(raw_ptr=[0, -1, 2, 3])
    c["bad_set_indptr"] = seed(corruption=3, corruption_bytes=bytes([2, 0x7F]))
    c["bad_index_huge"] = seed(idx64=True, corruption=4, corruption_bytes=bytes([1]) + struct.pack("<q", 2**40))
    c["bad_index_int32_max"] = seed(corruption=4, corruption_bytes=bytes([1]) + struct.pack("<q", 2**31 - 1))
    c["bad_index_negative"] = seed(idx64=True, corruption=4, corruption_bytes=bytes([0]) + struct.pack("<q", -1))
    c["bad_indptr_short"] = seed(corruption=5)
    c["bad_indptr0_corrupt"] = seed(corruption=6, corruption_bytes=bytes([2]))
    c["bad_indptr_last_huge"] = seed(ptr64=True, corruption=7, corruption_bytes=struct.pack("<q", 2**62))
    c["bad_indptr_last_int32_wrap"] = seed(corruption=7, corruption_bytes=struct.pack("<q", 2**32 + 3))
    c["bad_index_equal_to_cols"] = seed(corruption=4, corruption_bytes=bytes([2]) + struct.pack("<q", 4))
    for m in range(12):
        c[f"malformed_{m}"] = seed(malform=m)
    c["wild_negative_rows"] = seed(wild=(-1, 4), raw_ptr=[0])
    c["wild_int64_max_rows"] = seed(wild=(2**63 - 1, 4), raw_ptr=[0])
    c["wild_int64_max_cols_csc"] = seed(csc=True, wild=(4, 2**63 - 1), raw_ptr=[0])
    c["wild_empty_huge_inner"] = seed(wild=(0, 2**62), raw_ptr=[0])
    # Found by the fuzzer: a row of x . y^T whose columns are first touched out of order, which
    # the sparse product must sort (it did not when its sort was switched off).
    c["found_product_columns_out_of_order"] = bytes.fromhex("02000304000003000203000301f80501fdf9f501fa02010300010203040506070809750a0b0c")
    return c


def main():
    OUT.mkdir(exist_ok=True)
    for name, data in cases().items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(cases())} seeds to {OUT}")


if __name__ == "__main__":
    main()
