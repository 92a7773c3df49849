package dev.loupe.http;

import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.Postgres;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link UploadFlowTest}'s presigned uploads with the catalog on PostgreSQL. */
class UploadFlowOnPostgresTest extends UploadFlowTest {
    @TempDir
    static Path postgresData;

    /** Runs after {@link UploadFlowTest#start}: its SQLite server is replaced by one on PostgreSQL, with a data dir of its own. */
    @BeforeAll
    static void onPostgres() {
        server.close();
        server = TestServer.withFlags(postgresData, "--catalog-url", Postgres.shared().freshDatabase().url(), "--node-id", "upload-flow");
    }
}
