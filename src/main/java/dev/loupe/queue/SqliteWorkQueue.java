package dev.loupe.queue;

import dev.loupe.catalog.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link WorkQueue} in the catalog's SQLite file ({@code work_items} table). */
public final class SqliteWorkQueue implements WorkQueue {
    private static final int MAX_REPORTED_FAILURES = 500;

    private final Database db;
    private final Object signal = new Object();

    public SqliteWorkQueue(Database db) {
        this.db = db;
    }

    private static final String CANCELED = "CANCELED";

    @Override
    public void enqueue(List<WorkItem.Request> items) {
        if (items.isEmpty()) return;
        db.inTransaction(c -> {
            insert(c, items);
            return null;
        });
        wake();
    }

    private static void insert(Connection c, List<WorkItem.Request> items) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, source_document_id, state)
                VALUES (?,?,?,?,?,'PENDING')""")) {
            for (WorkItem.Request r : items) {
                ps.setString(1, r.taskId());
                ps.setString(2, r.namespaceId());
                ps.setString(3, r.collectionId());
                ps.setString(4, r.objectId());
                ps.setString(5, r.sourceDocumentId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<WorkItem> claim(int max) {
        return db.inTransaction(c -> {
            List<WorkItem> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT seq, task_id, namespace_id, collection_id, object_id, source_document_id, attempts
                    FROM work_items WHERE state = 'PENDING' ORDER BY seq LIMIT ?""")) {
                ps.setInt(1, max);
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
    public void complete(WorkItem item, int documentCount, List<WorkItem.Request> followUps) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'DONE', error = NULL, document_count = ? WHERE seq = ?")) {
                ps.setInt(1, documentCount);
                ps.setLong(2, item.seq());
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
            return null;
        });
        if (!followUps.isEmpty()) wake();
    }

    @Override
    public void fail(WorkItem item, String reason) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET state = 'FAILED', error = ? WHERE seq = ?")) {
                ps.setString(1, reason);
                ps.setLong(2, item.seq());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public int recover() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET state = 'PENDING' WHERE state = 'RUNNING'")) {
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public TaskProgress progress(String taskId) {
        return db.inTransaction(c -> {
            Map<String, Integer> counts = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, count(*) FROM work_items WHERE task_id = ? GROUP BY state")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) counts.put(rs.getString(1), rs.getInt(2));
                }
            }
            Map<String, String> failures = new LinkedHashMap<>();
            if (counts.getOrDefault("FAILED", 0) > 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT object_id, error FROM work_items WHERE task_id = ? AND state = 'FAILED' ORDER BY seq LIMIT ?")) {
                    ps.setString(1, taskId);
                    ps.setInt(2, MAX_REPORTED_FAILURES);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) failures.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return new TaskProgress(counts.getOrDefault("PENDING", 0), counts.getOrDefault("RUNNING", 0),
                    counts.getOrDefault("DONE", 0), counts.getOrDefault("FAILED", 0), counts.getOrDefault(CANCELED, 0), failures);
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
                    while (rs.next()) out.put(rs.getString(1), new ObjectOutcome(rs.getString(2), rs.getString(3)));
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
                    "UPDATE work_items SET state = 'PENDING', error = NULL WHERE task_id = ? AND state IN ('FAILED', 'CANCELED') AND attempts < ?")) {
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
