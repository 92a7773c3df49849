package dev.loupe.queue.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which received offsets have reached a durable outcome, per partition, and so how far each
 * partition's committed offset may move: to just past the highest offset whose every
 * predecessor (since the last commit) is settled too. An offset whose item is still running
 * holds back every later one, so a crash redelivers it and nothing after it is lost.
 * Thread-safe: workers settle offsets, the consumer thread commits.
 */
final class OffsetLedger {
    /** Per partition: offset → settled, for offsets received since the last commit. */
    private final Map<TopicPartition, TreeMap<Long, Boolean>> open = new HashMap<>();

    synchronized void received(TopicPartition tp, long offset) {
        open.computeIfAbsent(tp, k -> new TreeMap<>()).putIfAbsent(offset, false);
    }

    synchronized void settled(TopicPartition tp, long offset) {
        TreeMap<Long, Boolean> offsets = open.get(tp);
        if (offsets != null && offsets.containsKey(offset)) offsets.put(offset, true);
    }

    /**
     * The offsets to commit (the next offset to read, as Kafka counts) for partitions whose
     * settled prefix grew, forgetting that prefix; restricted to {@code partitions} if given.
     */
    synchronized Map<TopicPartition, Long> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, TreeMap<Long, Boolean>> e : open.entrySet()) {
            if (partitions != null && !partitions.contains(e.getKey())) continue;
            TreeMap<Long, Boolean> offsets = e.getValue();
            Long next = null;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) next = offsets.pollFirstEntry().getKey() + 1;
            if (next != null) out.put(e.getKey(), next);
        }
        return out;
    }

    /** Forgets partitions this consumer no longer owns; their unsettled offsets will be read again by their new owner. */
    synchronized void drop(Collection<TopicPartition> partitions) {
        partitions.forEach(open::remove);
    }

    /** Offsets received and not yet committable, over all partitions. */
    synchronized int unsettled() {
        return open.values().stream().mapToInt(TreeMap::size).sum();
    }
}
