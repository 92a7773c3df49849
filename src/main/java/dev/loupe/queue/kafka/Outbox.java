package dev.loupe.queue.kafka;

import dev.loupe.catalog.Database;
import dev.loupe.queue.WorkItem;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The narrow SQL operations {@link KafkaWorkQueue} needs beyond {@link dev.loupe.queue.WorkQueue}:
 * the outbox of items to publish ({@code work_outbox}, filled by trigger whenever an item becomes
 * PENDING, see {@link Database}'s version 5) and claims of single items named by a message,
 * recorded with the claiming queue instance in {@code work_claims}.
 */
final class Outbox {
    /** What one message carries: the item, and what claims need without reading the row. */
    record Dispatch(long seq, String namespaceId, String objectId) {
    }

    /** One outbox row: its own id, and the message it becomes. */
    record Unpublished(long id, Dispatch dispatch) {
    }

    /** An item's state, and which queue instance claimed it when it is RUNNING (null if unknown). */
    record Row(WorkItem.State state, String owner) {
    }

    private final Database db;

    Outbox(Database db) {
        this.db = db;
    }

    /** Up to {@code max} items waiting to be published, oldest first; rows whose item left PENDING meanwhile are dropped. */
    List<Unpublished> unpublished(int max) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM work_outbox WHERE id IN (SELECT o.id FROM work_outbox o LEFT JOIN work_items w ON w.seq = o.seq
                                                         WHERE w.seq IS NULL OR w.state <> 'PENDING')""")) {
                ps.executeUpdate();
            }
            List<Unpublished> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT o.id, w.seq, w.namespace_id, w.object_id FROM work_outbox o JOIN work_items w ON w.seq = o.seq
                    ORDER BY o.id LIMIT ?""")) {
                ps.setInt(1, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new Unpublished(rs.getLong(1), new Dispatch(rs.getLong(2), rs.getString(3), rs.getString(4))));
                }
            }
            return out;
        });
    }

    /** Called with the outbox row ids whose messages the brokers acknowledged. */
    void published(Collection<Long> ids) {
        if (ids.isEmpty()) return;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM work_outbox WHERE id = ?")) {
                for (long id : ids) {
                    ps.setLong(1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** The states of the items {@code seqs}; a seq with no row is absent. */
    Map<Long, Row> rows(Collection<Long> seqs) {
        Map<Long, Row> out = new HashMap<>();
        if (seqs.isEmpty()) return out;
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT w.state, k.owner FROM work_items w LEFT JOIN work_claims k ON k.seq = w.seq WHERE w.seq = ?""")) {
                for (long seq : seqs) {
                    ps.setLong(1, seq);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) out.put(seq, new Row(WorkItem.State.valueOf(rs.getString(1)), rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Claims item {@code seq} for {@code owner} if it is PENDING, or if it is RUNNING under
     * {@code deadOwner}'s claim (a queue instance that left without an outcome: the attempt it
     * cut short is counted, and an item out of attempts is FAILED with {@code givenUp}).
     * Empty when the item is elsewhere.
     */
    Optional<WorkItem> claim(long seq, String owner, String deadOwner, int maxAttempts, String givenUp) {
        return db.inTransaction(c -> {
            WorkItem item;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT w.seq, w.task_id, w.namespace_id, w.collection_id, w.object_id, w.source_document_id, w.attempts, w.state, k.owner
                    FROM work_items w LEFT JOIN work_claims k ON k.seq = w.seq WHERE w.seq = ?""")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.<WorkItem>empty();
                    String state = rs.getString(8);
                    boolean takeOver = state.equals("RUNNING") && deadOwner != null && deadOwner.equals(rs.getString(9));
                    if (!state.equals("PENDING") && !takeOver) return Optional.<WorkItem>empty();
                    item = new WorkItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getInt(7) + 1);
                }
            }
            if (item.attempts() > maxAttempts) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET state = 'FAILED', error = ? WHERE seq = ?")) {
                    ps.setString(1, givenUp);
                    ps.setLong(2, seq);
                    ps.executeUpdate();
                }
                return Optional.<WorkItem>empty();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET state = 'RUNNING', attempts = attempts + 1 WHERE seq = ?")) {
                ps.setLong(1, seq);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO work_claims(seq, owner) VALUES (?, ?)")) {
                ps.setLong(1, seq);
                ps.setString(2, owner);
                ps.executeUpdate();
            }
            return Optional.of(item);
        });
    }

    /** Runs {@code work} (SQL queue calls and these) in one transaction: one commit, one sync to disk. */
    <T> T atomically(java.util.function.Supplier<T> work) {
        return db.inTransaction(c -> work.get());
    }

    /** Forgets the claim of an item that reached an outcome or went back to PENDING. */
    void unclaim(long seq) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM work_claims WHERE seq = ?")) {
                ps.setLong(1, seq);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
