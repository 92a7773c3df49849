package dev.loupe.index.lucene;

import dev.loupe.index.lucene.CollectionIndexes.CollectionIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;

/**
 * Merges a collection's segments into as few as its size allows (one per
 * {@value #COMPACT_SEGMENT_MB} MB), each with one graph. Every commit adds a segment with its
 * own graph and a nearest-neighbour search visits them all, so a collection written in many
 * batches answers several times slower than the same documents in one segment; one left
 * without writes for {@link #IDLE_BEFORE_COMPACT} is compacted by a background thread.
 */
final class Compaction implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Compaction.class.getName());
    private static final double COMPACT_SEGMENT_MB = 5000;
    private static final Duration IDLE_BEFORE_COMPACT = Duration.ofMinutes(1);
    /** How long closing waits for an interrupted compaction's thread (a forced merge's wait ends at once). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final CollectionIndexes indexes;
    /** One thread per index, its own: it only wakes every half minute to look for idle collections. */
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("index-maintenance").daemon().factory());
    /**
     * Per collection, held while it is compacted: an explicit compaction waits for the idle one
     * (and then finds little left to merge), the idle pass skips a collection being compacted.
     */
    private final ConcurrentMap<String, ReentrantLock> compacting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Compaction(CollectionIndexes indexes) {
        this.indexes = indexes;
        maintenance.scheduleWithFixedDelay(this::compactIdle, 30, 30, TimeUnit.SECONDS);
    }

    /**
     * Searches and writes go on meanwhile; the merged segments replace the old ones when done.
     *
     * @return whether there was anything to merge
     */
    boolean compact(String collectionId) {
        ReentrantLock lock = lock(collectionId);
        lock.lock();
        try {
            return compact(collectionId, indexes.open(collectionId));
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lock(String collectionId) {
        return compacting.computeIfAbsent(collectionId, id -> new ReentrantLock());
    }

    private static boolean compact(String collectionId, CollectionIndex index) {
        try {
            SegmentInfos infos = SegmentInfos.readLatestCommit(index.directory());
            long bytes = 0;
            for (SegmentCommitInfo info : infos) bytes += info.sizeInBytes();
            int target = (int) Math.max(1, Math.ceil(bytes / (COMPACT_SEGMENT_MB * 1e6)));
            if (infos.size() <= target) return false;
            index.writer().forceMerge(target);
            // Not index.commit(): a merge is no write, and must not put off the next compaction.
            index.writer().commit();
            index.searchers().maybeRefreshBlocking();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("compacting collection " + collectionId + " failed", e);
        }
    }

    /** Compacts the collections that have not been written for {@link #IDLE_BEFORE_COMPACT}. */
    private void compactIdle() {
        for (Map.Entry<String, CollectionIndex> e : indexes.opened().entrySet()) {
            if (closed) return;
            if (System.nanoTime() - e.getValue().lastWrite().get() < IDLE_BEFORE_COMPACT.toNanos()) continue;
            ReentrantLock lock = lock(e.getKey());
            if (!lock.tryLock()) continue;
            try {
                // The index itself, not a lookup by id: a collection dropped meanwhile must not be recreated.
                if (compact(e.getKey(), e.getValue())) LOG.info("compacted the index of collection " + e.getKey());
            } catch (RuntimeException failure) {
                // Interrupted by close: the index keeps its last commit, and the merge is not lost work worth a warning.
                if (closed) LOG.log(Level.FINE, "compaction of collection " + e.getKey() + " stopped by closing the index", failure);
                else LOG.log(Level.WARNING, "compacting the index of collection " + e.getKey() + " failed; will retry", failure);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops the background compaction, interrupting one running, and waits for its thread to
     * let go of the indexes, which are closed next.
     */
    @Override
    public void close() {
        closed = true;
        maintenance.shutdownNow();
        try {
            if (!maintenance.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warning("background compaction did not stop within " + STOP_WAIT.toSeconds() + " s; closing the indexes anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
