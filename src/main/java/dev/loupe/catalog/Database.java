package dev.loupe.catalog;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The store that holds the catalog and the work queue, so that one transaction can change
 * both (a batch submit records its task and queues its work atomically).
 *
 * <p>Two engines: the embedded SQLite file ({@link #Database(Path)}, the default: one node,
 * one connection guarded by a lock) and PostgreSQL ({@link #postgres}: a connection pool
 * shared by many Loupe nodes). Callers see the same {@link #inTransaction}; the SQL they
 * write must be valid on both (the {@link Dialect} names the few places it cannot be).
 */
public final class Database implements AutoCloseable {
    /** Bumped when the table layout changes; opening refuses a newer catalog. */
    public static final int SCHEMA_VERSION = 7;

    /** The SQL flavour behind a database, for the few statements that differ. */
    public enum Dialect {
        SQLITE, POSTGRES;

        /** Whether more than one process may share this database, so work must be claimed with row locks and leases. */
        public boolean shared() {
            return this == POSTGRES;
        }
    }

    /** One engine's way of running transactions. */
    sealed interface Engine extends AutoCloseable permits SqliteEngine, PostgresEngine {
        <T> T inTransaction(Isolation isolation, Work<T> work);

        Dialect dialect();

        boolean isOpen();

        @Override
        void close();
    }

    /**
     * How strictly a PostgreSQL transaction is isolated. SQLite runs one transaction at a time,
     * so there both are the same. SERIALIZABLE (the default) gives PostgreSQL's callers what
     * SQLite gives them; READ_COMMITTED is for work that locks its rows explicitly
     * ({@code FOR UPDATE SKIP LOCKED}), where serializable checks would only cause retries.
     */
    public enum Isolation {
        SERIALIZABLE, READ_COMMITTED
    }

    private final Engine engine;

    /** The embedded SQLite catalog in {@code file}, migrated to {@link #SCHEMA_VERSION}. */
    public Database(Path file) {
        this(new SqliteEngine(file));
    }

    private Database(Engine engine) {
        this.engine = engine;
    }

    /** A catalog on a PostgreSQL server, migrated to {@link #SCHEMA_VERSION} (once, whichever node starts first). */
    public static Database postgres(PostgresOptions options) {
        return new Database(new PostgresEngine(options));
    }

    /** Work done inside one transaction; an exception rolls everything back. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in a serializable transaction. Called from inside another transaction on the
     * same thread, it joins that one, so services can compose (catalog + queue) atomically. On
     * PostgreSQL a transaction that loses a serialization conflict is run again (a bounded number of
     * times), so {@code work} must have no effect outside the database it cannot repeat.
     */
    public <T> T inTransaction(Work<T> work) {
        return engine.inTransaction(Isolation.SERIALIZABLE, work);
    }

    /** {@link #inTransaction(Work)} at {@code isolation} when it starts a transaction; joined, the outer one's applies. */
    public <T> T inTransaction(Isolation isolation, Work<T> work) {
        return engine.inTransaction(isolation, work);
    }

    public Dialect dialect() {
        return engine.dialect();
    }

    /** False once {@link #close}d, so that background work on it can stop. */
    public boolean isOpen() {
        return engine.isOpen();
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Whether a statement failed on a UNIQUE constraint, on either engine. */
    public static boolean violatesUniqueness(SQLException e) {
        return SqliteEngine.violatesUniqueness(e) || PostgresEngine.UNIQUE_VIOLATION.equals(e.getSQLState());
    }
}
