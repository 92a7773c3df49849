package dev.loupe.http;

import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.Postgres;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SeedFlowTest}'s requests (bucket, objects, collection, batch, retriever, queries) with the
 * catalog and work queue on PostgreSQL ({@code --catalog-url}) instead of the data directory's SQLite.
 */
class SeedFlowOnPostgresTest extends SeedFlowTest {
    @TempDir
    static Path postgresData;

    /** Runs after {@link SeedFlowTest#start}: its SQLite server is replaced by one on PostgreSQL, with a data dir of its own. */
    @BeforeAll
    static void onPostgres() {
        server.close();
        server = TestServer.withFlags(postgresData, "--catalog-url", Postgres.shared().freshDatabase().url(), "--catalog-pool-size", "4",
                "--node-id", "seed-flow");
    }
}
