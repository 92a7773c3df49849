package dev.loupe.testing;

import dev.loupe.catalog.Database;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.testing.engines.Postgres;
import java.nio.file.Path;

/**
 * The catalog engines a test runs against ({@code @ParameterizedTest @EnumSource(CatalogEngine.class)}):
 * {@link #store} gives a fresh, empty catalog that can be opened again, as a restarted node would.
 */
public enum CatalogEngine {
    SQLITE, POSTGRES;

    /** A fresh catalog; SQLite's file goes in {@code dir}, PostgreSQL gets a new database on the shared test server. */
    public Store store(Path dir) {
        return switch (this) {
            case SQLITE -> new Store(dir.resolve("c.db"), null);
            case POSTGRES -> new Store(null, Postgres.shared().freshDatabase());
        };
    }

    /** One catalog, opened as many times as a test restarts its node. */
    public record Store(Path file, PostgresOptions postgres) {
        public Database open() {
            return file != null ? new Database(file) : Database.postgres(postgres);
        }
    }
}
