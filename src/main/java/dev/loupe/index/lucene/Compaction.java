package dev.loupe.index.lucene;

import dev.loupe.index.lucene.CollectionIndexes.CollectionIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

    private final CollectionIndexes indexes;
    /** One thread per index, its own: it only wakes every half minute to look for idle collections. */
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("index-maintenance").daemon().factory());

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
        return compact(collectionId, indexes.open(collectionId));
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
            if (System.nanoTime() - e.getValue().lastWrite().get() < IDLE_BEFORE_COMPACT.toNanos()) continue;
            try {
                // The index itself, not a lookup by id: a collection dropped meanwhile must not be recreated.
                if (compact(e.getKey(), e.getValue())) LOG.info("compacted the index of collection " + e.getKey());
            } catch (RuntimeException failure) {
                LOG.log(Level.WARNING, "compacting the index of collection " + e.getKey() + " failed; will retry", failure);
            }
        }
    }

    /** Stops the background compaction; one running is interrupted. */
    @Override
    public void close() {
        maintenance.shutdownNow();
    }
}
