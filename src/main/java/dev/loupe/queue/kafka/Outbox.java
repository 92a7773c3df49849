package dev.loupe.queue.kafka;

import dev.loupe.catalog.Database;
import dev.loupe.queue.WorkItem;
import java.sql.Connection;
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
 * PENDING while dispatch by Kafka is on, see the catalog's version 6) and claims of single items
 * named by a message, recorded in the item's {@code owner} and {@code lease_until} as the SQL
 * queue records its own claims.
 */
final class Outbox {
    /** The {@code meta} key whose value {@code kafka} turns the outbox triggers on. */
    static final String DISPATCH_KEY = "work_dispatch";

    /** What one message carries: the item, and what claims need without reading the row. */
    record Dispatch(long seq, String namespaceId, String objectId) {
    }

    /** One outbox row: its own id, and the message it becomes. */
    record Unpublished(long id, Dispatch dispatch) {
    }

    /** An item's state, and, when it is RUNNING, which node claimed it until when (null if unknown). */
    record Row(WorkItem.State state, String owner, Long leaseUntil) {
    }

    private final Database db;

    Outbox(Database db) {
        this.db = db;
    }

    /**
     * Turns the outbox triggers on. When they were off, every PENDING item is put in the outbox
     * (items queued by SQL-only nodes, or before this catalog had an outbox); when they were on,
     * those items were published already or wait in the outbox. Returns how many were added.
     */
    int start() {
        return db.inTransaction(c -> {
            if (dispatching(c)) return 0;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO meta(key, value) VALUES (?, 'kafka') ON CONFLICT (key) DO UPDATE SET value = 'kafka'""")) {
                ps.setString(1, DISPATCH_KEY);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO work_outbox(seq) SELECT w.seq FROM work_items w WHERE w.state = 'PENDING'
                      AND NOT EXISTS (SELECT 1 FROM work_outbox o WHERE o.seq = w.seq) ORDER BY w.seq""")) {
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Turns the outbox triggers off and empties the outbox: a catalog whose work is dispatched by
     * SQL alone has no relay, so rows written for it would only pile up. Returns how many rows were dropped.
     */
    static int stop(Database db) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM meta WHERE key = ?")) {
                ps.setString(1, DISPATCH_KEY);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM work_outbox")) {
                return ps.executeUpdate();
            }
        });
    }

    private static boolean dispatching(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, DISPATCH_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1).equals("kafka");
            }
        }
    }

    /** Rows in the outbox, for tests and metrics. */
    int size() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM work_outbox"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /**
     * Up to {@code max} items waiting to be published, oldest first; rows whose item left PENDING
     * meanwhile are dropped. Read committed: relays of several nodes may read the same rows and
     * publish them twice, which claims make harmless, rather than retry on every overlap.
     */
    List<Unpublished> unpublished(int max) {
        return db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
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
        db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
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
        return db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state, owner, lease_until FROM work_items WHERE seq = ?")) {
                for (long seq : seqs) {
                    ps.setLong(1, seq);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            long lease = rs.getLong(3);
                            out.put(seq, new Row(WorkItem.State.valueOf(rs.getString(1)), rs.getString(2), rs.wasNull() ? null : lease));
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * Claims item {@code seq} for node {@code owner} until {@code leaseUntil} if it is PENDING, or
     * if it is RUNNING under {@code deadOwner} (a node that left without an outcome: the attempt
     * it cut short is counted, and an item out of attempts is FAILED with {@code givenUp}).
     * Empty when the item is elsewhere. Serializable, so two nodes claiming one item at once
     * cannot both read it free (the loser's transaction runs again and finds it taken).
     */
    Optional<WorkItem> claim(long seq, String owner, long leaseUntil, String deadOwner, int maxAttempts, String givenUp) {
        return db.inTransaction(c -> {
            WorkItem item;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT seq, task_id, namespace_id, collection_id, object_id, source_document_id, attempts, state, owner
                    FROM work_items WHERE seq = ?""")) {
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
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE work_items SET state = 'FAILED', error = ?, owner = NULL, lease_until = NULL WHERE seq = ?")) {
                    ps.setString(1, givenUp);
                    ps.setLong(2, seq);
                    ps.executeUpdate();
                }
                return Optional.<WorkItem>empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'RUNNING', attempts = attempts + 1, owner = ?, lease_until = ? WHERE seq = ?")) {
                ps.setString(1, owner);
                ps.setLong(2, leaseUntil);
                ps.setLong(3, seq);
                ps.executeUpdate();
            }
            return Optional.of(item);
        });
    }

    /** Runs {@code work} (SQL queue calls and these) in one transaction: one commit, one sync to disk. */
    <T> T atomically(java.util.function.Supplier<T> work) {
        return db.inTransaction(c -> work.get());
    }
}
