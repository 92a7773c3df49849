package dev.loupe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import dev.loupe.testing.CatalogEngine;
import dev.loupe.testing.engines.Postgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DatabaseMigrationTest {
    @Test
    void aVersionOneCatalogGainsTheDeletionTableWhenOpened(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.db");
        new Database(file).close();
        // Turn the file back into what version 1 wrote: no deletions table, no index by object.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("DROP TABLE object_deletions");
            s.execute("DROP INDEX work_items_object");
            s.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
            s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'ns', 'c', 'obj_1', 'DONE')");
        }
        new Database(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals("0", one(s, "SELECT count(*) FROM object_deletions"));
            assertEquals("1", one(s, "SELECT count(*) FROM sqlite_master WHERE name = 'work_items_object'"));
            assertEquals("1", one(s, "SELECT count(*) FROM work_items"), "existing work is kept");
        }
    }

    @Test
    void aVersionTwoCatalogGainsTokenCountsOnItsWorkItemsWhenOpened(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.db");
        new Database(file).close();
        // What version 2 wrote: work items without token counts.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE work_items DROP COLUMN input_tokens");
            s.execute("ALTER TABLE work_items DROP COLUMN output_tokens");
            s.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
            s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'ns', 'c', 'obj_1', 'DONE')");
        }
        new Database(file).close();
        new Database(file).close(); // opening again changes nothing
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals("0|0|1", one(s, "SELECT sum(input_tokens) || '|' || sum(output_tokens) || '|' || count(*) FROM work_items"),
                    "existing work is kept, with no tokens counted");
        }
    }

    @Test
    void aVersionThreeCatalogGainsThePublicationsAndUploadsTablesWhenOpenedAndKeepsItsResources(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.db");
        new Database(file).close();
        // What version 3 wrote: no publications, no uploads.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("DROP TABLE publications");
            s.execute("DROP TABLE uploads");
            s.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
            s.execute("INSERT INTO resources(kind, id, namespace_id, body) VALUES ('bucket', 'bkt_1', 'ns_1', '{}')");
        }
        new Database(file).close();
        new Database(file).close(); // opening again changes nothing
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals("0", one(s, "SELECT count(*) FROM publications"));
            assertEquals("1", one(s, "SELECT count(*) FROM sqlite_master WHERE name = 'publications_namespace'"));
            assertEquals("0", one(s, "SELECT count(*) FROM uploads"));
            assertEquals("1", one(s, "SELECT count(*) FROM resources WHERE id = 'bkt_1'"), "existing resources are kept");
        }
    }

    @Test
    void aVersionFourCatalogGainsOwnersAndLeasesOnItsWorkItemsWhenOpened(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.db");
        new Database(file).close();
        // What version 4 wrote: work items without owner or lease.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE work_items DROP COLUMN owner");
            s.execute("ALTER TABLE work_items DROP COLUMN lease_until");
            s.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
            s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'ns', 'c', 'obj_1', 'RUNNING')");
        }
        new Database(file).close();
        new Database(file).close(); // opening again changes nothing
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals("1", one(s, "SELECT count(*) FROM work_items WHERE owner IS NULL AND lease_until IS NULL"), "existing work is kept");
        }
        try (Database db = new Database(file)) {
            assertEquals(1, new dev.loupe.queue.SqlWorkQueue(db).recover(), "an item running before the upgrade is taken back");
        }
    }

    @Test
    void aVersionFiveCatalogGainsAnOutboxThatStaysEmptyUntilKafkaDispatchIsOn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.db");
        new Database(file).close();
        // What version 5 wrote: no outbox, no triggers.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER work_items_outbox_insert");
            s.execute("DROP TRIGGER work_items_outbox_update");
            s.execute("DROP TABLE work_outbox");
            s.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
        }
        new Database(file).close();
        new Database(file).close(); // opening again changes nothing
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertOutboxFollowsTheDispatchFlag(s);
        }
    }

    @Test
    void aVersionFivePostgresCatalogGainsAnOutboxThatStaysEmptyUntilKafkaDispatchIsOn() throws Exception {
        PostgresOptions options = Postgres.shared().freshDatabase();
        Database.postgres(options).close();
        try (Connection c = connect(options); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER work_items_outbox_insert ON work_items");
            s.execute("DROP TRIGGER work_items_outbox_update ON work_items");
            s.execute("DROP FUNCTION work_items_to_outbox()");
            s.execute("DROP TABLE work_outbox");
            s.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
        }
        Database.postgres(options).close();
        Database.postgres(options).close();
        try (Connection c = connect(options); Statement s = c.createStatement()) {
            assertOutboxFollowsTheDispatchFlag(s);
        }
    }

    private static void assertOutboxFollowsTheDispatchFlag(Statement s) throws Exception {
        assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
        s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'n', 'c', 'sql-only', 'PENDING')");
        assertEquals("0", one(s, "SELECT count(*) FROM work_outbox"), "without Kafka dispatch nothing is written that nothing would empty");
        s.execute("INSERT INTO meta(key, value) VALUES ('work_dispatch', 'kafka')");
        s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'n', 'c', 'done', 'DONE')");
        s.execute("UPDATE work_items SET state = 'PENDING' WHERE object_id = 'done'");
        s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'n', 'c', 'new', 'PENDING')");
        s.execute("INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, state) VALUES ('t', 'n', 'c', 'rejected', 'FAILED')");
        s.execute("UPDATE work_items SET error = 'x' WHERE object_id = 'new'");
        try (ResultSet rs = s.executeQuery("SELECT w.object_id FROM work_outbox o JOIN work_items w ON w.seq = o.seq ORDER BY o.id")) {
            List<String> objects = new ArrayList<>();
            while (rs.next()) objects.add(rs.getString(1));
            assertEquals(List.of("done", "new"), objects, "items that become PENDING, queued or put back, are in the outbox; others are not");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aVersionSixCatalogGainsClusterRunLeasesThatGoWithTheirRunsAndANodeRegistry(CatalogEngine engine, @TempDir Path dir) throws Exception {
        CatalogEngine.Store store = engine.store(dir);
        store.open().close();
        // What version 6 wrote: no owners or leases on cluster runs.
        try (Connection c = connect(store); Statement s = c.createStatement()) {
            s.execute("DROP TABLE cluster_run_leases");
            s.execute("DROP TABLE catalog_nodes");
            s.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'");
            s.execute("INSERT INTO resources(kind, id, namespace_id, body) VALUES ('cluster_run', 'run_1', 'ns_1', '{}')");
        }
        store.open().close();
        store.open().close(); // opening again changes nothing
        try (Connection c = connect(store); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals("0", one(s, "SELECT count(*) FROM cluster_run_leases"), "a run from before has no owner: any start may fail it");
            assertEquals("0", one(s, "SELECT count(*) FROM catalog_nodes"));
            s.execute("INSERT INTO cluster_run_leases(run_id, owner, lease_until) VALUES ('run_1', 'node-a', 1)");
            if (engine == CatalogEngine.SQLITE) s.execute("PRAGMA foreign_keys=ON");
            s.execute("DELETE FROM resources WHERE id = 'run_1'");
            assertEquals("0", one(s, "SELECT count(*) FROM cluster_run_leases"), "a run's lease is deleted with it");
        }
    }

    private static Connection connect(CatalogEngine.Store store) throws Exception {
        return store.file() != null ? DriverManager.getConnection("jdbc:sqlite:" + store.file()) : connect(store.postgres());
    }

    @Test
    void aFreshPostgresCatalogIsCreatedAtTheCurrentVersion() throws Exception {
        PostgresOptions options = Postgres.shared().freshDatabase();
        Database.postgres(options).close();
        Database.postgres(options).close(); // opening again changes nothing
        try (Connection c = connect(options); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals("10", one(s, """
                    SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
                      AND table_name IN ('meta', 'resources', 'work_items', 'api_keys', 'object_deletions', 'publications', 'uploads',
                                         'work_outbox', 'cluster_run_leases', 'catalog_nodes')"""));
        }
    }

    @Test
    void aPostgresCatalogNewerThanThisLoupeIsRefused() throws Exception {
        PostgresOptions options = Postgres.shared().freshDatabase();
        Database.postgres(options).close();
        try (Connection c = connect(options); Statement s = c.createStatement()) {
            s.execute("UPDATE meta SET value = '" + (Database.SCHEMA_VERSION + 1) + "' WHERE key = 'schema_version'");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Database.postgres(options));
        assertTrue(e.getMessage().contains("newer than this Loupe understands"), e.getMessage());
    }

    @Test
    void nodesStartingTogetherOnAnEmptyPostgresCatalogMigrateItOnce() throws Exception {
        PostgresOptions options = Postgres.shared().freshDatabase();
        int nodes = 4;
        CyclicBarrier together = new CyclicBarrier(nodes);
        ExecutorService starts = Executors.newFixedThreadPool(nodes);
        List<Future<Database>> opened = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            opened.add(starts.submit(() -> {
                together.await();
                return Database.postgres(options);
            }));
        }
        try {
            for (Future<Database> f : opened) f.get().close(); // each start succeeds
        } finally {
            starts.shutdownNow();
        }
        try (Connection c = connect(options); Statement s = c.createStatement()) {
            assertEquals(String.valueOf(Database.SCHEMA_VERSION), one(s, "SELECT string_agg(value, ',') FROM meta WHERE key = 'schema_version'"));
        }
    }

    private static Connection connect(PostgresOptions o) throws Exception {
        return DriverManager.getConnection(o.jdbcUrl(), o.user(), "");
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
