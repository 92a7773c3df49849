package dev.loupe.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.testing.engines.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the upload signing secret lives: the data directory with SQLite, the catalog when it is shared. */
class UploadSignerTest {
    @Test
    void nodesStartingAtOnceOnOneSharedCatalogAgreeOnTheSecret(@TempDir Path dir) throws Exception {
        PostgresOptions catalog = Postgres.shared().freshDatabase(2);
        int nodes = 4;
        List<Database> dbs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            for (int i = 0; i < nodes; i++) dbs.add(Database.postgres(catalog));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<UploadSigner>> started = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Database db = dbs.get(i);
                Path own = Files.createDirectories(dir.resolve("node-" + i));
                started.add(pool.submit(() -> {
                    go.await();
                    return UploadSigner.forNode(db, own);
                }));
            }
            go.countDown();
            String signed = started.getFirst().get().sign("upl_1", 1_900_000_000L, 1024);
            for (Future<UploadSigner> s : started) {
                assertTrue(s.get().verify("upl_1", 1_900_000_000L, 1024, signed), "every node accepts a URL any node signed");
            }
            for (int i = 0; i < nodes; i++) {
                assertFalse(Files.exists(dir.resolve("node-" + i).resolve(UploadSigner.FILE)), "no node keeps a secret of its own");
            }
            try (Database later = Database.postgres(catalog)) {
                assertEquals(signed, UploadSigner.forNode(later, dir).sign("upl_1", 1_900_000_000L, 1024), "a node started later reads the same secret");
            }
        } finally {
            pool.shutdownNow();
            dbs.forEach(Database::close);
        }
    }

    @Test
    void withSqliteTheSecretStaysInTheDataDirectory(@TempDir Path dir) {
        try (Database db = new Database(dir.resolve("catalog.db"))) {
            String signed = UploadSigner.forNode(db, dir).sign("upl_1", 1_900_000_000L, 1024);
            assertTrue(Files.isRegularFile(dir.resolve(UploadSigner.FILE)));
            assertTrue(UploadSigner.inDirectory(dir).verify("upl_1", 1_900_000_000L, 1024, signed));
        }
    }
}
