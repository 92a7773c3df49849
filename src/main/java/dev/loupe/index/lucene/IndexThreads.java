package dev.loupe.index.lucene;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The thread pools of embedded Lucene indexes, made by whoever wires Loupe and closed by it
 * after the indexes that use them.
 *
 * @param segmentSearch searches a query's segments in parallel, one task per segment: a
 *                      nearest-neighbour search visits every segment's graph, and one query
 *                      should not wait on them one after another
 * @param graphMerge    builds a merged segment's graph in {@code mergeWorkers} tasks at once
 * @param mergeWorkers  how many tasks one graph merge is split into, and how many threads write one large batch
 * @param indexing      writes the slices of a large batch beside the calling thread: Lucene builds a
 *                      flushed segment's graph on the thread that adds the documents, one
 *                      per thread, so one writing thread leaves the other cores idle; a pool of
 *                      its own, since a writing thread may wait for merges that run on {@code graphMerge}
 */
public record IndexThreads(ExecutorService segmentSearch, ExecutorService graphMerge, int mergeWorkers, ExecutorService indexing)
        implements AutoCloseable {
    public IndexThreads {
        if (segmentSearch == null || graphMerge == null || indexing == null) throw new IllegalArgumentException("index threads need all three pools");
        if (mergeWorkers < 1) throw new IllegalArgumentException("mergeWorkers must be at least 1, got: " + mergeWorkers);
    }

    /** Daemon pools of {@code threads} threads each, one per core being what a search, a merge and a batch write want. */
    public static IndexThreads create(int threads) {
        return new IndexThreads(
                Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("index-search-", 0).daemon().factory()),
                Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("index-merge-", 0).daemon().factory()),
                threads,
                Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("index-write-", 0).daemon().factory()));
    }

    /** As many threads as there are cores. */
    public static IndexThreads perCore() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /** Lets running tasks finish and takes no new ones. */
    @Override
    public void close() {
        segmentSearch.shutdown();
        graphMerge.shutdown();
        indexing.shutdown();
    }
}
