package dev.loupe.queue;

import dev.loupe.catalog.Database;
import dev.loupe.catalog.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link WorkQueue} in the catalog's SQLite file ({@code work_items} and {@code object_deletions} tables). */
public final class SqliteWorkQueue implements WorkQueue {
    private static final int MAX_REPORTED_FAILURES = 500;
    /** Bound on the ids one {@code IN (...)} query carries; SQLite limits host parameters. */
    private static final int IDS_PER_QUERY = 500;

    private final Database db;
    private final int maxAttempts;
    private final Object signal = new Object();

    /** A queue that gives an item up after {@link #DEFAULT_MAX_ATTEMPTS} attempts. */
    public SqliteWorkQueue(Database db) {
        this(db, DEFAULT_MAX_ATTEMPTS);
    }

    /** A queue that gives an item up after {@code maxAttempts} attempts that ended without an outcome. */
    public SqliteWorkQueue(Database db, int maxAttempts) {
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be at least 1, got: " + maxAttempts);
        this.db = db;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void enqueue(List<WorkItem.Request> items) {
        if (items.isEmpty()) return;
        db.inTransaction(c -> {
            insert(c, items);
            return null;
        });
        wake();
    }

    /** Queues items as PENDING, except those of deleted objects: nothing may bring their documents back. */
    private static void insert(Connection c, List<WorkItem.Request> items) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, source_document_id, state)
                SELECT ?,?,?,?,?,'PENDING' WHERE NOT EXISTS (SELECT 1 FROM object_deletions WHERE object_id = ?)""")) {
            for (WorkItem.Request r : items) {
                ps.setString(1, r.taskId());
                ps.setString(2, r.namespaceId());
                ps.setString(3, r.collectionId());
                ps.setString(4, r.objectId());
                ps.setString(5, r.sourceDocumentId());
                ps.setString(6, r.objectId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void reject(List<WorkItem.Request> items, String reason) {
        if (items.isEmpty()) return;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, source_document_id, state, error)
                    VALUES (?,?,?,?,?,'FAILED',?)""")) {
                for (WorkItem.Request r : items) {
                    ps.setString(1, r.taskId());
                    ps.setString(2, r.namespaceId());
                    ps.setString(3, r.collectionId());
                    ps.setString(4, r.objectId());
                    ps.setString(5, r.sourceDocumentId());
                    ps.setString(6, reason);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<WorkItem> claim(int max, Set<String> exceptNamespaces) {
        List<String> skipped = List.copyOf(exceptNamespaces);
        String except = skipped.isEmpty() ? "" : " AND namespace_id NOT IN ("
                + String.join(",", java.util.Collections.nCopies(skipped.size(), "?")) + ")";
        return db.inTransaction(c -> {
            List<WorkItem> items = new ArrayList<>();
            // Round robin over namespaces: each one's oldest item, then each one's second, and so
            // on, so a namespace with a long backlog does not hold back another's first item.
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT seq, task_id, namespace_id, collection_id, object_id, source_document_id, attempts
                    FROM (SELECT *, row_number() OVER (PARTITION BY namespace_id ORDER BY seq) AS turn
                          FROM work_items WHERE state = 'PENDING'""" + except + """
                    )
                    ORDER BY turn, seq LIMIT ?""")) {
                for (int i = 0; i < skipped.size(); i++) ps.setString(i + 1, skipped.get(i));
                ps.setInt(skipped.size() + 1, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new WorkItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getInt(7) + 1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'RUNNING', attempts = attempts + 1 WHERE seq = ?")) {
                for (WorkItem item : items) {
                    ps.setLong(1, item.seq());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return items;
        });
    }

    @Override
    public void complete(WorkItem item, int documentCount, TaskProgress.Tokens tokens, List<WorkItem.Request> followUps) {
        boolean queued = db.inTransaction(c -> {
            if (deleted(c, item.objectId())) {
                fail(c, item, ObjectDeletion.RUNNING_REASON);
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'DONE', error = NULL, document_count = ?, input_tokens = ?, output_tokens = ? WHERE seq = ?")) {
                ps.setInt(1, documentCount);
                ps.setLong(2, tokens.input());
                ps.setLong(3, tokens.output());
                ps.setLong(4, item.seq());
                ps.executeUpdate();
            }
            if (!followUps.isEmpty()) {
                insert(c, followUps);
                // Work that a canceled task's last running items trigger downstream is canceled with it.
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE work_items SET state = 'CANCELED' WHERE task_id = ? AND state = 'PENDING'
                          AND EXISTS (SELECT 1 FROM work_items WHERE task_id = ? AND state = 'CANCELED')""")) {
                    ps.setString(1, item.taskId());
                    ps.setString(2, item.taskId());
                    ps.executeUpdate();
                }
            }
            return !followUps.isEmpty();
        });
        if (queued) wake();
    }

    @Override
    public void fail(WorkItem item, String reason) {
        db.inTransaction(c -> {
            fail(c, item, reason);
            return null;
        });
    }

    private static void fail(Connection c, WorkItem item, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET state = 'FAILED', error = ? WHERE seq = ?")) {
            ps.setString(1, reason);
            ps.setLong(2, item.seq());
            ps.executeUpdate();
        }
    }

    @Override
    public int recover() {
        return db.inTransaction(c -> {
            // An item that was running every time the process died (it may be what kills it) is given up.
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'FAILED', error = ? WHERE state = 'RUNNING' AND attempts >= ?")) {
                ps.setString(1, givenUp(maxAttempts, "the process stopped while processing it each time"));
                ps.setInt(2, maxAttempts);
                ps.executeUpdate();
            }
            int recovered;
            try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET state = 'PENDING' WHERE state = 'RUNNING'")) {
                recovered = ps.executeUpdate();
            }
            // Items a dead process was running when their object was deleted: running them
            // again would only fail, or, reading an upstream document not yet removed, write one.
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE work_items SET state = 'FAILED', error = ?
                    WHERE state = 'PENDING' AND object_id IN (SELECT object_id FROM object_deletions)""")) {
                ps.setString(1, ObjectDeletion.RUNNING_REASON);
                ps.executeUpdate();
            }
            return recovered;
        });
    }

    @Override
    public void release(WorkItem item, String reason) {
        boolean queued = db.inTransaction(c -> {
            // Back to PENDING leaves the row's size as it is: on a full disk this can succeed where recording a reason cannot.
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE work_items SET state = CASE WHEN attempts >= ? THEN 'FAILED' ELSE 'PENDING' END,
                                          error = CASE WHEN attempts >= ? THEN ? ELSE error END
                    WHERE seq = ? AND state = 'RUNNING'""")) {
                ps.setInt(1, maxAttempts);
                ps.setInt(2, maxAttempts);
                ps.setString(3, givenUp(maxAttempts, reason));
                ps.setLong(4, item.seq());
                ps.executeUpdate();
            }
            return item.attempts() < maxAttempts;
        });
        if (queued) wake();
    }

    /** Why an item tried {@code attempts} times without an outcome failed. */
    static String givenUp(int attempts, String last) {
        return "given up after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ") + last;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public void recordDeletion(ObjectDeletion deletion) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT OR IGNORE INTO object_deletions(object_id, namespace_id, bucket_id, state, created_at)
                    VALUES (?,?,?,'OPEN',?)""")) {
                ps.setString(1, deletion.objectId());
                ps.setString(2, deletion.namespaceId());
                ps.setString(3, deletion.bucketId());
                ps.setString(4, deletion.createdAt());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'FAILED', error = ? WHERE object_id = ? AND state = 'PENDING'")) {
                ps.setString(1, ObjectDeletion.PENDING_REASON);
                ps.setString(2, deletion.objectId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static boolean deleted(Connection c, String objectId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM object_deletions WHERE object_id = ?")) {
            ps.setString(1, objectId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Set<String> deletedAmong(java.util.Collection<String> objectIds) {
        Set<String> out = new HashSet<>();
        if (objectIds.isEmpty()) return out;
        List<String> ids = List.copyOf(new LinkedHashSet<>(objectIds));
        return db.inTransaction(c -> {
            for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement("SELECT object_id FROM object_deletions WHERE object_id IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<ObjectDeletion> openDeletions(int max, int offset) {
        return db.inTransaction(c -> {
            List<ObjectDeletion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT object_id, namespace_id, bucket_id, created_at FROM object_deletions WHERE state = 'OPEN' ORDER BY rowid LIMIT ? OFFSET ?")) {
                ps.setInt(1, max);
                ps.setInt(2, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new ObjectDeletion(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        });
    }

    @Override
    public int liveItems(String objectId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM work_items WHERE object_id = ? AND state IN ('PENDING', 'RUNNING')")) {
                ps.setString(1, objectId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public void finishDeletion(String objectId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE object_deletions SET state = 'DONE', finished_at = ? WHERE object_id = ?")) {
                ps.setString(1, Ids.now());
                ps.setString(2, objectId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Depth depth() {
        return db.inTransaction(c -> {
            int pending = 0;
            int running = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, count(*) FROM work_items WHERE state IN ('PENDING', 'RUNNING') GROUP BY state");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals("PENDING")) pending = rs.getInt(2);
                    else running = rs.getInt(2);
                }
            }
            return new Depth(pending, running);
        });
    }

    @Override
    public TaskProgress progress(String taskId) {
        return db.inTransaction(c -> {
            Map<WorkItem.State, Integer> counts = new java.util.EnumMap<>(WorkItem.State.class);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, count(*) FROM work_items WHERE task_id = ? GROUP BY state")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) counts.put(WorkItem.State.valueOf(rs.getString(1)), rs.getInt(2));
                }
            }
            Map<String, String> failures = new LinkedHashMap<>();
            if (counts.getOrDefault(WorkItem.State.FAILED, 0) > 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT object_id, error FROM work_items WHERE task_id = ? AND state = 'FAILED' ORDER BY seq LIMIT ?")) {
                    ps.setString(1, taskId);
                    ps.setInt(2, MAX_REPORTED_FAILURES);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) failures.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            TaskProgress.Tokens tokens = TaskProgress.Tokens.NONE;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM work_items WHERE task_id = ? AND state = 'DONE'")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) tokens = new TaskProgress.Tokens(rs.getLong(1), rs.getLong(2));
                }
            }
            return new TaskProgress(counts.getOrDefault(WorkItem.State.PENDING, 0), counts.getOrDefault(WorkItem.State.RUNNING, 0),
                    counts.getOrDefault(WorkItem.State.DONE, 0), counts.getOrDefault(WorkItem.State.FAILED, 0),
                    counts.getOrDefault(WorkItem.State.CANCELED, 0), failures, tokens);
        });
    }

    @Override
    public Map<String, ObjectOutcome> latestByObject(java.util.Collection<String> objectIds) {
        Map<String, ObjectOutcome> out = new LinkedHashMap<>();
        if (objectIds.isEmpty()) return out;
        return db.inTransaction(c -> {
            String marks = String.join(",", java.util.Collections.nCopies(objectIds.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT object_id, state, error FROM work_items WHERE object_id IN (" + marks + ") ORDER BY seq")) {
                int i = 1;
                for (String id : objectIds) ps.setString(i++, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), new ObjectOutcome(WorkItem.State.valueOf(rs.getString(2)), rs.getString(3)));
                }
            }
            return out;
        });
    }

    @Override
    public int cancel(String taskId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'CANCELED' WHERE task_id = ? AND state = 'PENDING'")) {
                ps.setString(1, taskId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int retry(String taskId, int maxAttempts) {
        int retried = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    """
                    UPDATE work_items SET state = 'PENDING', error = NULL
                    WHERE task_id = ? AND state IN ('FAILED', 'CANCELED') AND attempts < ?
                      AND object_id NOT IN (SELECT object_id FROM object_deletions)""")) {
                ps.setString(1, taskId);
                ps.setInt(2, maxAttempts);
                return ps.executeUpdate();
            }
        });
        if (retried > 0) wake();
        return retried;
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    @Override
    public void awaitWork(long millis) throws InterruptedException {
        synchronized (signal) {
            signal.wait(millis);
        }
    }
}
