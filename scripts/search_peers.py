#!/usr/bin/python3
"""hnswlib and FAISS on the search benchmark's own vectors, beside Loupe.

Usage: search_peers.py DIR [hnswlib|faiss-hnsw|faiss-ivfpq ...|--report], where DIR (bench/search/N-QUANTIZATION/peers) holds what
dev.loupe.bench.SearchBenchmark exported (meta.json; vectors, queries, buckets and the exact
top 10 of each query per filter, as headerless little-endian 4-byte rows, see PeerExport)
and Loupe's own curve (loupe.json). Builds hnswlib HNSW, FAISS IndexHNSWFlat (both with
Loupe's graph parameters) and FAISS IndexIVFPQ, timed on two threads; sweeps ef / nprobe;
prints Markdown tables and writes DIR/results.json. Naming systems runs only those (each writes
DIR/peer-NAME.json, so they can run side by side); --report then combines what was measured.

Queries/s "one per call" answers one query per library call, as Loupe's index path does
(two threads: two Python threads calling at once; both libraries release the GIL while
they search); "batch" hands all queries to one call, as the libraries are normally used.
"""
import itertools
import json
import math
import os
import sys
import threading
import time

import faiss
import hnswlib
import numpy as np

TARGETS = (0.90, 0.95, 0.99)
EFS = (10, 20, 40, 80, 160, 320, 640)
FILTERED_EFS = EFS + (1280, 2560)
NPROBES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
OVER_FETCH = (1, 2, 4, 8)  # hnswlib post-filtering: fetch k / selectivity times this many


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, dim, q, k = meta["documents"], meta["dimension"], meta["queries"], meta["k"]
    x = np.fromfile(os.path.join(d, meta["vectors"]), dtype="<f4").reshape(n, dim)
    queries = np.fromfile(os.path.join(d, meta["queries_file"]), dtype="<f4").reshape(q, dim)
    buckets = np.fromfile(os.path.join(d, meta["buckets"]), dtype="<i4")
    filters = []
    for f in meta["filters"]:
        truth = np.fromfile(os.path.join(d, f["truth"]), dtype="<i4").reshape(q, k)
        filters.append({"label": f["label"], "mask": buckets < f["bucket_below"], "truth": truth})
    return meta, x, queries, filters


def recall(found, truth):
    """Mean share of each query's true top k that its row of found holds (-1 is no answer)."""
    k = truth.shape[1]
    return float(np.mean([len(set(f[:k].tolist()) & set(t.tolist())) / k for f, t in zip(found, truth)]))


def one_per_call(search, queries, threads, per_thread=None):
    """Queries/s with `threads` threads each answering one query per call, and the answers of a single-thread pass."""
    nq = len(queries)
    if threads == 1:
        for j in range(nq):  # warm, as Loupe's rows are
            search(queries[j])
        t0 = time.perf_counter()
        found = [search(queries[j]) for j in range(nq)]
        return nq / (time.perf_counter() - t0), found
    total = 2 * nq  # as many queries as Loupe's two-thread figure
    counter = itertools.count()

    def work():
        if per_thread:
            per_thread()
        for j in iter(lambda: next(counter), None):
            if j >= total:
                return
            search(queries[j % nq])

    pool = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return total / (time.perf_counter() - t0), None


def first_matches(labels, mask, k):
    """Post-filtering: the first k labels of a longer, best-first answer that the filter admits."""
    out = np.full(k, -1, dtype=np.int64)
    kept = labels[(labels >= 0) & mask[np.maximum(labels, 0)]][:k]
    out[: len(kept)] = kept
    return out


def point(filt, param, filtering, found, qps1, qps2, batch1, batch2):
    return {"filter": filt["label"], "param": param, "filtering": filtering, "recall": recall(found, filt["truth"]),
            "qps_1": qps1, "qps_2": qps2, "qps_batch_1": batch1, "qps_batch_2": batch2}


def batch_rate(search_all, queries, threads, set_threads):
    set_threads(threads)
    search_all(queries)  # warm
    t0 = time.perf_counter()
    search_all(queries)
    return len(queries) / (time.perf_counter() - t0)


def run_hnswlib(meta, x, queries, filters, k):
    m, efc = meta["graph"]["max_connections"], meta["graph"]["beam_width"]
    index = hnswlib.Index(space="ip", dim=x.shape[1])
    index.init_index(max_elements=len(x), ef_construction=efc, M=m, random_seed=7)
    t0 = time.perf_counter()
    index.add_items(x, np.arange(len(x)), num_threads=2)
    build = time.perf_counter() - t0
    points = []
    for f in filters:
        frac = f["mask"].mean()
        if frac == 1:
            params = [(ef, k) for ef in EFS]
            filtering = "-"
        else:
            params = [(min(len(x), math.ceil(k / frac * o)),) * 2 for o in OVER_FETCH]
            filtering = "post-filter, over-fetch"
        for ef, fetch in params:
            index.set_ef(ef)
            mask = f["mask"]
            if fetch == k:
                def one(q): return index.knn_query(q, k=k, num_threads=1)[0][0]
                def many(qs, t): return index.knn_query(qs, k=k, num_threads=t)[0]
            else:
                def one(q): return first_matches(index.knn_query(q, k=fetch, num_threads=1)[0][0].astype(np.int64), mask, k)
                def many(qs, t): return [first_matches(r.astype(np.int64), mask, k) for r in index.knn_query(qs, k=fetch, num_threads=t)[0]]
            qps1, found = one_per_call(one, queries, 1)
            qps2, _ = one_per_call(one, queries, 2)
            b = [batch_rate(lambda qs: many(qs, t), queries, t, lambda _: None) for t in (1, 2)]
            param = f"ef={ef}" if fetch == k else f"ef=fetch={fetch}"
            points.append(point(f, param, filtering, found, qps1, qps2, *b))
    return {"system": "hnswlib", "version": "0.6.2", "build_seconds": build, "build_threads": 2,
            "build": f"HNSW M={m}, efConstruction={efc}, space ip", "points": points}


def selector(mask):
    bitmap = np.packbits(mask, bitorder="little")
    sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
    sel.bitmap_keep = bitmap  # the selector reads the array in place: keep it alive as long as the selector
    return sel


def faiss_sweep(index, filters, queries, k, params_of, values, filtered_values, name):
    points = []
    for f in filters:
        sel = None if f["mask"].all() else selector(f["mask"])
        for v in (values if sel is None else filtered_values):
            params = params_of(v, sel)

            def one(q): return index.search(q.reshape(1, -1), k, params=params)[1][0]

            def all_(qs): return index.search(qs, k, params=params)[1]

            faiss.omp_set_num_threads(1)
            qps1, found = one_per_call(one, queries, 1)
            qps2, _ = one_per_call(one, queries, 2, per_thread=lambda: faiss.omp_set_num_threads(1))
            b = [batch_rate(all_, queries, t, faiss.omp_set_num_threads) for t in (1, 2)]
            points.append(point(f, f"{name}={v}", "-" if sel is None else "FAISS IDSelectorBitmap (in search)", found, qps1, qps2, *b))
    return points


def hnsw_params(index, ef, sel):
    # FAISS 1.7.3 sizes one of its queues from the index's efSearch and the other from the parameters'
    # (measured: either one left at 16 caps recall), so both are set.
    index.hnsw.efSearch = ef
    return faiss.SearchParametersHNSW(efSearch=ef, sel=sel)


def run_faiss_hnsw(meta, x, queries, filters, k):
    m, efc = meta["graph"]["max_connections"], meta["graph"]["beam_width"]
    index = faiss.IndexHNSWFlat(x.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = efc
    faiss.omp_set_num_threads(2)
    t0 = time.perf_counter()
    index.add(x)
    build = time.perf_counter() - t0
    points = faiss_sweep(index, filters, queries, k, lambda ef, sel: hnsw_params(index, ef, sel), EFS, FILTERED_EFS, "ef")
    return {"system": "FAISS HNSW", "version": faiss.__version__, "build_seconds": build, "build_threads": 2,
            "build": f"IndexHNSWFlat M={m}, efConstruction={efc}, inner product", "points": points}


def run_faiss_ivfpq(meta, x, queries, filters, k):
    n, d = x.shape
    nlist = int(4 * math.sqrt(n))
    m = 96 if d % 96 == 0 else 64
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFPQ(quantizer, d, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
    index.cp.max_points_per_centroid = 64  # the 39-64 points per list faiss asks for: a sample, not all N
    sample = x[np.random.default_rng(7).choice(n, min(n, 64 * nlist), replace=False)]
    faiss.omp_set_num_threads(2)
    t0 = time.perf_counter()
    index.train(sample)
    trained = time.perf_counter() - t0
    index.add(x)
    build = time.perf_counter() - t0
    points = faiss_sweep(index, filters, queries, k, lambda p, sel: faiss.SearchParametersIVF(nprobe=p, sel=sel),
                         NPROBES, NPROBES, "nprobe")
    # The same lists, the best 8k re-ranked by exact inner product (IndexRefineFlat; FAISS 1.7.3 takes no
    # search parameters there, so unfiltered only).
    refine = faiss.IndexRefineFlat(index, faiss.swig_ptr(x))
    refine.k_factor = 8
    for p in NPROBES:
        index.nprobe = p

        def one(q): return refine.search(q.reshape(1, -1), k)[1][0]

        faiss.omp_set_num_threads(1)
        qps1, found = one_per_call(one, queries, 1)
        qps2, _ = one_per_call(one, queries, 2, per_thread=lambda: faiss.omp_set_num_threads(1))
        b = [batch_rate(lambda qs: refine.search(qs, k), queries, t, faiss.omp_set_num_threads) for t in (1, 2)]
        points.append(point(filters[0], f"nprobe={p}, rerank 8k", "-", found, qps1, qps2, *b))
    return {"system": "FAISS IVF-PQ", "version": faiss.__version__, "build_seconds": build, "build_threads": 2,
            "build": f"IndexIVFPQ nlist={nlist}, m={m}, 8 bits, inner product; trained on {len(sample)} vectors in {trained:.0f} s",
            "points": points}


def best(points, filt, target, key):
    rates = [p[key] for p in points if p["filter"] == filt and p["recall"] >= target]
    return max(rates) if rates else None


def fmt(v):
    return "-" if v is None else f"{v:.0f}"


RUNS = {"hnswlib": run_hnswlib, "faiss-hnsw": run_faiss_hnsw, "faiss-ivfpq": run_faiss_ivfpq}


def main():
    d, wanted = sys.argv[1], sys.argv[2:]
    meta = json.load(open(os.path.join(d, "meta.json")))
    k, n = meta["k"], meta["documents"]
    if wanted != ["--report"]:
        meta, x, queries, filters = load(d)
        print(f"\nhnswlib and FAISS on the same {n} vectors and {len(queries)} queries; recall@10 against the same exact top 10.")
        print("Queries/s one per call (as Loupe's index path) on 1 and 2 threads; batch = all queries in one call.")
        for name in wanted or RUNS:
            s = RUNS[name](meta, x, queries, filters, k)
            with open(os.path.join(d, f"peer-{name}.json"), "w") as out:
                json.dump(s, out, indent=1)
            # Each system's rows as soon as it is measured: a long run shows its progress.
            print(f"\n{s['system']} {s['version']}: {s['build']}; built on {s['build_threads']} threads in {s['build_seconds']:.0f} s\n")
            print("| system | filter | filtering | parameter | recall@10 | q/s one per call, 1 thread | 2 threads | q/s batch, 1 thread | 2 threads |")
            print("|---|---|---|---|---|---|---|---|---|")
            for p in s["points"]:
                print(f"| {s['system']} | {p['filter']} | {p['filtering']} | {p['param']} | {p['recall']:.3f} | {p['qps_1']:.0f} | "
                      f"{p['qps_2']:.0f} | {p['qps_batch_1']:.0f} | {p['qps_batch_2']:.0f} |", flush=True)
        if wanted:
            return  # some systems only (run side by side, say); "--report" combines them
    report(d, meta)


def report(d, meta):
    """The build rates and the best queries/s at each target recall, from loupe.json and the peer-*.json measured."""
    k, n = meta["k"], meta["documents"]
    loupe = json.load(open(os.path.join(d, "loupe.json")))
    systems = [json.load(open(os.path.join(d, f"peer-{name}.json"))) for name in RUNS
               if os.path.exists(os.path.join(d, f"peer-{name}.json"))]
    print("\n| system | build | seconds | documents/s |")
    print("|---|---|---|---|")
    compact = f" + compaction {loupe['compact_seconds']:.0f} s" if "compact_seconds" in loupe else ""
    when = f"index built {loupe['built_at']}" if "built_at" in loupe else "index cached from an earlier run"
    print(f"| Loupe | 5,000 per commit through LuceneDocumentIndex.upsert ({when}){compact} | "
          f"{loupe['build_seconds']:.0f} | {n / loupe['build_seconds']:.0f} |")
    for s in systems:
        print(f"| {s['system']} {s['version']} | {s['build']}, {s['build_threads']} threads | {s['build_seconds']:.0f} | "
              f"{n / s['build_seconds']:.0f} |")

    everyone = [("Loupe", loupe["points"])]
    for s in systems:
        everyone.append((s["system"], [p for p in s["points"] if "rerank" not in p["param"]]))
        refined = [p for p in s["points"] if "rerank" in p["param"]]
        if refined:
            everyone.append((s["system"] + " + rerank", refined))
    names = [e[0] for e in everyone]
    hnsw = names.index("hnswlib") if "hnswlib" in names else None
    print("\nBest queries/s (one query per call) at recall@10 >= target; '-': no setting reaches it.\n")
    print("| filter | recall >= | threads | " + " | ".join(names) + " | Loupe / hnswlib |")
    print("|---|---|---|" + "---|" * len(names) + "---|")
    summary = []
    for f in meta["filters"]:
        for target in TARGETS:
            for threads, key in ((1, "qps_1"), (2, "qps_2")):
                rates = [best(pts, f["label"], target, key) for _, pts in everyone]
                ratio = f"{rates[0] / rates[hnsw]:.2f}" if hnsw is not None and rates[0] and rates[hnsw] else "-"
                print(f"| {f['label']} | {target:.2f} | {threads} | " + " | ".join(fmt(r) for r in rates) + f" | {ratio} |")
                summary.append({"filter": f["label"], "target": target, "threads": threads, **dict(zip(names, rates))})
    results = {"documents": n, "queries": meta["queries"], "k": k, "cpu": cpu(), "cores": os.cpu_count(),
               "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load": os.getloadavg(),
               "loupe": loupe, "peers": systems, "best_at_recall": summary}
    with open(os.path.join(d, "results.json"), "w") as out:
        json.dump(results, out, indent=1)
    print(f"\nresults: {os.path.join(d, 'results.json')}")


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"


if __name__ == "__main__":
    main()
