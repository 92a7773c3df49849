package dev.loupe.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded SQLite engine of {@link Database}: one file holding the catalog and the work queue.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so a committed transaction
 * survives {@code kill -9} and power loss. SQLite allows one writer; all access goes
 * through one connection guarded by a lock, which is simpler than a pool and fast
 * enough for catalog traffic (documents and vectors live in the index, not here).
 */
final class SqliteEngine implements Database.Engine {
    private static final int SCHEMA_VERSION = Database.SCHEMA_VERSION;

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    SqliteEngine(Path file) {
        try {
            Files.createDirectories(file.getParent());
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
            }
            migrate();
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open catalog database " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Database.Dialect dialect() {
        return Database.Dialect.SQLITE;
    }

    /** One transaction at a time, so every isolation is serializable; a nested call joins the outer transaction. */
    @Override
    public <T> T inTransaction(Database.Isolation isolation, Database.Work<T> work) {
        lock.lock();
        if (lock.getHoldCount() > 1) {
            try {
                return work.run(connection);
            } catch (SQLException e) {
                throw new IllegalStateException("catalog transaction failed: " + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                if (e instanceof RuntimeException re) throw re;
                throw new IllegalStateException("catalog transaction failed: " + e.getMessage(), e);
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("catalog transaction failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private void migrate() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            var rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'");
            if (rs.next()) {
                int found = Integer.parseInt(rs.getString(1));
                if (found > SCHEMA_VERSION) {
                    throw new IllegalStateException("catalog schema version " + found
                            + " is newer than this Loupe understands (" + SCHEMA_VERSION + "); upgrade Loupe");
                }
                if (found < 2) toVersion2(s);
                if (found < 3) toVersion3(s);
                if (found < 4) toVersion4(s);
                if (found < 5) toVersion5(s);
                if (found < 6) toVersion6(s);
                if (found < 7) toVersion7(s);
                return;
            }
            // Every resource kind shares one table: an id, its scope, an optional unique
            // name, and the record as JSON. seq orders listings by creation.
            s.execute("""
                    CREATE TABLE resources (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      kind TEXT NOT NULL,
                      id TEXT NOT NULL UNIQUE,
                      namespace_id TEXT,
                      parent_id TEXT,
                      name TEXT,
                      body TEXT NOT NULL)""");
            s.execute("CREATE UNIQUE INDEX resources_name ON resources(kind, namespace_id, name) WHERE name IS NOT NULL");
            s.execute("CREATE INDEX resources_scope ON resources(kind, namespace_id, parent_id, seq)");
            s.execute("""
                    CREATE TABLE work_items (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      task_id TEXT NOT NULL,
                      namespace_id TEXT NOT NULL,
                      collection_id TEXT NOT NULL,
                      object_id TEXT NOT NULL,
                      source_document_id TEXT,
                      state TEXT NOT NULL,
                      attempts INTEGER NOT NULL DEFAULT 0,
                      error TEXT,
                      document_count INTEGER NOT NULL DEFAULT 0)""");
            s.execute("CREATE INDEX work_items_state ON work_items(state, seq)");
            s.execute("CREATE INDEX work_items_task ON work_items(task_id, state)");
            s.execute("CREATE INDEX work_items_collection ON work_items(collection_id, state)");
            s.execute("""
                    CREATE TABLE api_keys (
                      id TEXT PRIMARY KEY,
                      name TEXT NOT NULL,
                      hash TEXT NOT NULL UNIQUE,
                      prefix TEXT NOT NULL,
                      admin INTEGER NOT NULL,
                      namespaces TEXT NOT NULL,
                      created_at TEXT NOT NULL,
                      revoked_at TEXT)""");
            s.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')");
            toVersion2(s);
            toVersion3(s);
            toVersion4(s);
            toVersion5(s);
            toVersion6(s);
            toVersion7(s);
        }
    }

    /**
     * Version 2: object deletions, recorded in the transaction that deletes the object and
     * finished once its documents are gone from the index; and work items by object, which
     * a deletion cancels. Every statement may run again, so a migration cut short by a
     * crash is simply redone.
     */
    private static void toVersion2(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS object_deletions (
                  object_id TEXT PRIMARY KEY,
                  namespace_id TEXT NOT NULL,
                  bucket_id TEXT NOT NULL,
                  state TEXT NOT NULL,
                  created_at TEXT NOT NULL,
                  finished_at TEXT)""");
        s.execute("CREATE INDEX IF NOT EXISTS object_deletions_state ON object_deletions(state)");
        s.execute("CREATE INDEX IF NOT EXISTS work_items_object ON work_items(object_id, state)");
        s.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    }

    /**
     * Version 3: the provider tokens each done work item used, summed per task. A column is
     * added only when missing, so that a migration cut short is redone like the others.
     */
    private static void toVersion3(Statement s) throws SQLException {
        java.util.Set<String> columns = new java.util.HashSet<>();
        try (var rs = s.executeQuery("PRAGMA table_info(work_items)")) {
            while (rs.next()) columns.add(rs.getString("name"));
        }
        if (!columns.contains("input_tokens")) s.execute("ALTER TABLE work_items ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0");
        if (!columns.contains("output_tokens")) s.execute("ALTER TABLE work_items ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0");
        s.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    }

    /**
     * Version 4: published retrievers and presigned uploads.
     *
     * <p>Published retrievers: a publication belongs to one retriever (deleted with it,
     * by the foreign key), its public name is unique across namespaces (it is a URL), and its
     * public key is kept only as a SHA-256 hash, like API keys. The rest of its settings (display
     * and rate-limit configuration) is JSON in {@code body}. Re-runnable like the others.
     *
     * <p>Presigned uploads ({@code dev.loupe.upload.Uploads}): the record is JSON like a
     * resource's; its status and received hash are columns too, so that claiming an upload for
     * its one PUT is a conditional update and duplicates are found by index.
     */
    private static void toVersion4(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS publications (
                  public_id TEXT PRIMARY KEY,
                  retriever_id TEXT NOT NULL UNIQUE REFERENCES resources(id) ON DELETE CASCADE,
                  namespace_id TEXT NOT NULL,
                  public_name TEXT NOT NULL UNIQUE,
                  key_hash TEXT NOT NULL UNIQUE,
                  key_prefix TEXT NOT NULL,
                  is_active INTEGER NOT NULL,
                  body TEXT NOT NULL,
                  created_at TEXT NOT NULL,
                  updated_at TEXT NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS publications_namespace ON publications(namespace_id, created_at)");
        s.execute("""
                CREATE TABLE IF NOT EXISTS uploads (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  upload_id TEXT NOT NULL UNIQUE,
                  namespace_id TEXT NOT NULL,
                  bucket_id TEXT NOT NULL,
                  status TEXT NOT NULL,
                  sha256 TEXT,
                  body TEXT NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS uploads_bucket ON uploads(bucket_id, seq)");
        s.execute("CREATE INDEX IF NOT EXISTS uploads_hash ON uploads(bucket_id, sha256, status)");
        s.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    }

    /**
     * Version 5: an owner (node id) and a lease on RUNNING work items, so that nodes sharing a
     * catalog take back only their own items and those whose lease ran out. One SQLite file has
     * one node, which still records them. Re-runnable like the others.
     */
    private static void toVersion5(Statement s) throws SQLException {
        java.util.Set<String> columns = new java.util.HashSet<>();
        try (var rs = s.executeQuery("PRAGMA table_info(work_items)")) {
            while (rs.next()) columns.add(rs.getString("name"));
        }
        if (!columns.contains("owner")) s.execute("ALTER TABLE work_items ADD COLUMN owner TEXT");
        if (!columns.contains("lease_until")) s.execute("ALTER TABLE work_items ADD COLUMN lease_until INTEGER");
        s.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    }

    /**
     * Version 6: the work queue's outbox for a message broker ({@code dev.loupe.queue.kafka}).
     * While the catalog's {@code meta} says {@code work_dispatch = kafka} (set by the Kafka queue
     * when it starts), every item that becomes PENDING (queued, retried, recovered, released)
     * gets a {@code work_outbox} row in the same transaction, by trigger, so the SQL queue need
     * not know about it; a relay publishes the row and deletes it. Without that flag (SQL-only
     * nodes) nothing is written, since nothing would empty the table. Rows have ids of their
     * own: an item queued again while its earlier row is being published gets a second row,
     * which the relay's delete of the first leaves. Re-runnable like the others.
     */
    private static void toVersion6(Statement s) throws SQLException {
        s.execute("CREATE TABLE IF NOT EXISTS work_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL)");
        String dispatching = "EXISTS (SELECT 1 FROM meta WHERE key = 'work_dispatch' AND value = 'kafka')";
        s.execute("CREATE TRIGGER IF NOT EXISTS work_items_outbox_insert AFTER INSERT ON work_items WHEN NEW.state = 'PENDING' AND "
                + dispatching + " BEGIN INSERT INTO work_outbox(seq) VALUES (NEW.seq); END");
        s.execute("CREATE TRIGGER IF NOT EXISTS work_items_outbox_update AFTER UPDATE OF state ON work_items"
                + " WHEN NEW.state = 'PENDING' AND OLD.state <> 'PENDING' AND " + dispatching
                + " BEGIN INSERT INTO work_outbox(seq) VALUES (NEW.seq); END");
        s.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'");
    }

    /**
     * Version 7: the owner (node id) and lease of each cluster execution that is pending or
     * running ({@code dev.loupe.cluster.RunLeases}), so that a node starting fails only its own
     * executions and those whose lease ran out, and a run completes only while its node still
     * owns it. A run's row goes with it. Runs running before the upgrade have none, so they count
     * as expired. And the nodes running on the catalog with the {@code --queue} each runs with
     * ({@code dev.loupe.queue.QueueNodes}), so that a node with another one is refused. Re-runnable like the others.
     */
    private static void toVersion7(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS cluster_run_leases (
                  run_id TEXT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
                  owner TEXT NOT NULL,
                  lease_until INTEGER NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS cluster_run_leases_owner ON cluster_run_leases(owner)");
        s.execute("""
                CREATE TABLE IF NOT EXISTS catalog_nodes (
                  node_id TEXT PRIMARY KEY,
                  dispatch TEXT NOT NULL,
                  seen_until INTEGER NOT NULL)""");
        s.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'");
    }

    @Override
    public boolean isOpen() {
        try {
            return !connection.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close catalog: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a statement failed on a UNIQUE constraint, read from SQLite's extended result code. */
    static boolean violatesUniqueness(SQLException e) {
        return e instanceof SQLiteException sqlite && sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE;
    }
}
