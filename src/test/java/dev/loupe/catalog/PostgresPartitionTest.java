package dev.loupe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.testing.engines.Postgres;
import dev.loupe.testing.engines.TcpProxy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node cut off the PostgreSQL catalog by a network partition (its packets dropped: no reset,
 * no error, only silence), reached here through a {@link TcpProxy} that stops forwarding.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class PostgresPartitionTest {
    @Test
    void aCatalogThatStopsAnsweringIsUnavailableWithinBoundedTimeAndUsableAgainOnceHealed() throws InterruptedException {
        PostgresOptions direct = Postgres.shared().freshDatabase(2);
        try (TcpProxy proxy = TcpProxy.to("catalog", Postgres.shared().port());
             Database db = Database.postgres(through(direct, proxy))) {
            assertEquals(1, one(db));
            proxy.partition();
            // Idle for longer than HikariCP trusts a connection unchecked (500 ms), as a quiet node's connections are:
            // the check fails, and so does every new connection, within the pool's connection timeout. (A statement
            // already on its way ends at the driver's socket timeout, a minute: NodePartitionTest meets those.)
            Thread.sleep(1_000);
            LoupeException.Unavailable e = assertThrows(LoupeException.Unavailable.class, () -> one(db),
                    "a partitioned catalog is unavailable (503), not an internal error or a hang");
            assertTrue(e.getMessage().startsWith("the catalog database (postgresql://***@127.0.0.1:" + proxy.port()), e.getMessage());
            proxy.heal();
            assertEquals(1, one(db), "once healed, new connections serve");
        }
    }

    @Test
    void theRowLocksOfANodeCutOffInsideATransactionAreReleasedForTheOthers() throws Exception {
        PostgresOptions direct = Postgres.shared().freshDatabase(2);
        try (TcpProxy proxy = TcpProxy.to("catalog", Postgres.shared().port());
             Database other = Database.postgres(direct);
             Database cutOff = Database.postgres(through(direct, proxy))) {
            other.inTransaction(c -> c.createStatement().execute("CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)"));
            other.inTransaction(c -> c.createStatement().execute("INSERT INTO counters VALUES (1, 0)"));
            // The node locks the row, and its network goes before its commit does.
            CountDownLatch locked = new CountDownLatch(1);
            CompletableFuture<Object> stranded = CompletableFuture.supplyAsync(() -> cutOff.inTransaction(c -> {
                c.createStatement().executeUpdate("UPDATE counters SET n = n + 1 WHERE id = 1");
                proxy.partition();
                locked.countDown();
                return null;
            }));
            // Only once the row is locked: otherwise the other update may simply come first (it did, under load).
            assertTrue(locked.await(60, TimeUnit.SECONDS), "the cut-off node locked the row");
            // Without the server ending the idle session, this would wait for the partition to heal.
            other.inTransaction(c -> c.createStatement().executeUpdate("UPDATE counters SET n = n + 10 WHERE id = 1"));
            int n = other.inTransaction(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT n FROM counters WHERE id = 1")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertEquals(10, n, "the cut-off node's uncommitted update was rolled back");
            proxy.heal();
            assertThrows(Exception.class, stranded::join, "the cut-off node learns that its transaction did not commit");
        }
    }

    private static PostgresOptions through(PostgresOptions direct, TcpProxy proxy) {
        return new PostgresOptions(direct.url().replace(":" + Postgres.shared().port() + "/", ":" + proxy.port() + "/"), null, direct.poolSize());
    }

    private static int one(Database db) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
