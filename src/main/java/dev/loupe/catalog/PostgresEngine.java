package dev.loupe.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.loupe.api.LoupeException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL engine of {@link Database}: a HikariCP pool shared by this node's threads, and
 * the server shared by every node. A transaction holds one pooled connection for its thread
 * (a {@link ThreadLocal}), so a nested {@code inTransaction} joins it as on SQLite.
 *
 * <h2>When the server cannot be reached</h2>
 * A node cut off from the server (a network partition: packets dropped, no reset) must neither
 * hang its callers nor hold the other nodes up. So a connection is waited for at most
 * {@link #CONNECTION_TIMEOUT_MILLIS}, a statement's answer at most {@link #SOCKET_TIMEOUT_SECONDS},
 * and either failure is {@link LoupeException.Unavailable} (503 to an API client) naming the
 * catalog. On the server's side, a session left idle inside a transaction for
 * {@link #IDLE_IN_TRANSACTION} is ended, so the row locks of a node cut off mid-transaction (a
 * work item it was claiming) are released and the other nodes take that work over.
 */
final class PostgresEngine implements Database.Engine {
    static final String UNIQUE_VIOLATION = "23505";
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK = "40P01";
    /** Runs of a transaction that keeps losing serialization conflicts before its caller sees the failure. */
    static final int MAX_RUNS = 10;
    /** Key of the advisory lock that one migrating node holds; the others wait, then find the schema current. */
    private static final long MIGRATION_LOCK = 0x4c6f7570654d6967L; // "LoupeMig"

    /** How long a transaction waits for a pooled connection (a new one included) before the catalog is called unavailable. */
    static final long CONNECTION_TIMEOUT_MILLIS = 10_000;
    /** How long the driver waits on the server's answer: catalog statements take milliseconds; a minute means it is gone. */
    static final int SOCKET_TIMEOUT_SECONDS = 60;
    /** Loupe's transactions never wait on their client for long: a session idle inside one that long has lost its node. */
    static final String IDLE_IN_TRANSACTION = "30s";

    private final HikariDataSource pool;
    private final String where;
    private final ThreadLocal<Connection> current = new ThreadLocal<>();

    PostgresEngine(PostgresOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("loupe-catalog");
        config.setJdbcUrl(options.jdbcUrl());
        config.setUsername(options.user());
        if (options.password() != null) config.setPassword(options.password());
        config.setMaximumPoolSize(options.poolSize());
        config.setMinimumIdle(Math.min(2, options.poolSize()));
        config.setAutoCommit(true);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECTION_TIMEOUT_MILLIS / 1000));
        config.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        config.setConnectionInitSql("SET idle_in_transaction_session_timeout = '" + IDLE_IN_TRANSACTION + "'");
        where = PostgresOptions.redacted(options.url());
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the PostgreSQL catalog at " + PostgresOptions.redacted(options.url()) + ": "
                    + rootMessage(e), e);
        }
        try {
            inTransaction(Database.Isolation.READ_COMMITTED, c -> {
                migrate(c);
                return null;
            });
        } catch (LoupeException.Unavailable e) {
            pool.close();
            throw new IllegalStateException("cannot open the PostgreSQL catalog: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    @Override
    public Database.Dialect dialect() {
        return Database.Dialect.POSTGRES;
    }

    @Override
    public <T> T inTransaction(Database.Isolation isolation, Database.Work<T> work) {
        Connection joined = current.get();
        if (joined != null) {
            try {
                return work.run(joined);
            } catch (SQLException e) {
                if (unreachable(e)) throw unavailable(e);
                throw new IllegalStateException("catalog transaction failed: " + e.getMessage(), e);
            }
        }
        for (int run = 1; ; run++) {
            try {
                return once(isolation, work);
            } catch (SQLException | RuntimeException e) {
                if (unreachable(e)) throw unavailable(e);
                if (run >= MAX_RUNS || !retryable(e)) {
                    if (e instanceof RuntimeException re) throw re;
                    throw new IllegalStateException("catalog transaction failed: " + e.getMessage(), e);
                }
                // Conflicting transactions back off by different amounts so that they do not meet again.
                sleep(ThreadLocalRandom.current().nextLong(1, 5L << Math.min(run, 6)));
            }
        }
    }

    private <T> T once(Database.Isolation isolation, Database.Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(isolation == Database.Isolation.SERIALIZABLE
                    ? Connection.TRANSACTION_SERIALIZABLE : Connection.TRANSACTION_READ_COMMITTED);
            current.set(c);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException lost) {
                    e.addSuppressed(lost);
                }
                throw e;
            } finally {
                current.remove();
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * No connection within {@link #CONNECTION_TIMEOUT_MILLIS}, or one lost (SQL state class 08, which
     * the driver also gives when {@link #SOCKET_TIMEOUT_SECONDS} passed without an answer), anywhere
     * in the cause chain.
     */
    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LoupeException) return false;
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) return true;
        }
        return false;
    }

    private LoupeException.Unavailable unavailable(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof SQLException)) t = t.getCause();
        LoupeException.Unavailable u = LoupeException.unavailable("the catalog database (" + where + ") cannot be reached: " + t.getMessage());
        u.initCause(e);
        return u;
    }

    /** A serialization failure or deadlock anywhere in the cause chain: running the transaction again may succeed. */
    private static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (SERIALIZATION_FAILURE.equals(s.getSQLState()) || DEADLOCK.equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Brings the schema to {@link Database#SCHEMA_VERSION} under a transaction-scoped advisory
     * lock: nodes starting together migrate one after the other, and PostgreSQL's DDL is
     * transactional, so a migration cut short leaves the previous version whole.
     */
    private static void migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            int found = 0;
            try (var rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
                if (rs.next()) found = Integer.parseInt(rs.getString(1));
            }
            if (found > Database.SCHEMA_VERSION) {
                throw new IllegalStateException("catalog schema version " + found + " is newer than this Loupe understands ("
                        + Database.SCHEMA_VERSION + "); upgrade Loupe");
            }
            // PostgreSQL catalogs begin at version 5; later versions add their steps after it.
            if (found < 5) toVersion5(s);
            if (found < 6) toVersion6(s);
            if (found < 7) toVersion7(s);
        }
    }

    /** The whole layout SQLite reaches by its versions 1 to 5, in PostgreSQL's types. */
    private static void toVersion5(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE resources (
                  seq BIGSERIAL PRIMARY KEY,
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
                  seq BIGSERIAL PRIMARY KEY,
                  task_id TEXT NOT NULL,
                  namespace_id TEXT NOT NULL,
                  collection_id TEXT NOT NULL,
                  object_id TEXT NOT NULL,
                  source_document_id TEXT,
                  state TEXT NOT NULL,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  error TEXT,
                  document_count INTEGER NOT NULL DEFAULT 0,
                  input_tokens BIGINT NOT NULL DEFAULT 0,
                  output_tokens BIGINT NOT NULL DEFAULT 0,
                  owner TEXT,
                  lease_until BIGINT)""");
        s.execute("CREATE INDEX work_items_state ON work_items(state, seq)");
        s.execute("CREATE INDEX work_items_task ON work_items(task_id, state)");
        s.execute("CREATE INDEX work_items_collection ON work_items(collection_id, state)");
        s.execute("CREATE INDEX work_items_object ON work_items(object_id, state)");
        s.execute("CREATE INDEX work_items_lease ON work_items(lease_until) WHERE state = 'RUNNING'");
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
        // seq keeps the order deletions were recorded in, which SQLite reads from its rowid.
        s.execute("""
                CREATE TABLE object_deletions (
                  object_id TEXT PRIMARY KEY,
                  seq BIGSERIAL NOT NULL,
                  namespace_id TEXT NOT NULL,
                  bucket_id TEXT NOT NULL,
                  state TEXT NOT NULL,
                  created_at TEXT NOT NULL,
                  finished_at TEXT)""");
        s.execute("CREATE INDEX object_deletions_state ON object_deletions(state, seq)");
        s.execute("""
                CREATE TABLE publications (
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
        s.execute("CREATE INDEX publications_namespace ON publications(namespace_id, created_at)");
        s.execute("""
                CREATE TABLE uploads (
                  seq BIGSERIAL PRIMARY KEY,
                  upload_id TEXT NOT NULL UNIQUE,
                  namespace_id TEXT NOT NULL,
                  bucket_id TEXT NOT NULL,
                  status TEXT NOT NULL,
                  sha256 TEXT,
                  body TEXT NOT NULL)""");
        s.execute("CREATE INDEX uploads_bucket ON uploads(bucket_id, seq)");
        s.execute("CREATE INDEX uploads_hash ON uploads(bucket_id, sha256, status)");
        s.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '5')");
    }

    /**
     * Version 6: the work queue's outbox, as on SQLite (see {@code SqliteEngine.toVersion6}).
     * PostgreSQL's trigger conditions cannot read other tables, so the {@code work_dispatch}
     * flag is read in the trigger function.
     */
    private static void toVersion6(Statement s) throws SQLException {
        s.execute("CREATE TABLE IF NOT EXISTS work_outbox (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL)");
        s.execute("""
                CREATE OR REPLACE FUNCTION work_items_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF EXISTS (SELECT 1 FROM meta WHERE key = 'work_dispatch' AND value = 'kafka') THEN
                    INSERT INTO work_outbox(seq) VALUES (NEW.seq);
                  END IF;
                  RETURN NULL;
                END $$""");
        s.execute("DROP TRIGGER IF EXISTS work_items_outbox_insert ON work_items");
        s.execute("DROP TRIGGER IF EXISTS work_items_outbox_update ON work_items");
        s.execute("CREATE TRIGGER work_items_outbox_insert AFTER INSERT ON work_items FOR EACH ROW"
                + " WHEN (NEW.state = 'PENDING') EXECUTE FUNCTION work_items_to_outbox()");
        s.execute("CREATE TRIGGER work_items_outbox_update AFTER UPDATE OF state ON work_items FOR EACH ROW"
                + " WHEN (NEW.state = 'PENDING' AND OLD.state <> 'PENDING') EXECUTE FUNCTION work_items_to_outbox()");
        s.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'");
    }

    /** Version 7: cluster executions' owners and leases, and the nodes' {@code --queue}, as on SQLite (see {@code SqliteEngine.toVersion7}). */
    private static void toVersion7(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS cluster_run_leases (
                  run_id TEXT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
                  owner TEXT NOT NULL,
                  lease_until BIGINT NOT NULL)""");
        s.execute("CREATE INDEX IF NOT EXISTS cluster_run_leases_owner ON cluster_run_leases(owner)");
        s.execute("""
                CREATE TABLE IF NOT EXISTS catalog_nodes (
                  node_id TEXT PRIMARY KEY,
                  dispatch TEXT NOT NULL,
                  seen_until BIGINT NOT NULL)""");
        s.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'");
    }

    @Override
    public boolean isOpen() {
        return !pool.isClosed();
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a catalog transaction", e);
        }
    }
}
