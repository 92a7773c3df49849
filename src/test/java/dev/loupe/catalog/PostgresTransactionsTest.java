package dev.loupe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.testing.engines.Postgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the PostgreSQL engine runs transactions that many nodes' threads run at once. */
class PostgresTransactionsTest {
    @Test
    void aTransactionThatLosesASerializationConflictIsRunAgainAndSeesTheWinner() throws Exception {
        try (Database db = Database.postgres(Postgres.shared().freshDatabase())) {
            // Both transactions read the count before either writes (write skew): serializable
            // isolation aborts one, which runs again and numbers its row after the other's.
            CountDownLatch bothRead = new CountDownLatch(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                String id = "ctr_" + t;
                runs.add(threads.submit(() -> db.inTransaction(c -> {
                    int n;
                    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM resources WHERE kind = 'counter'");
                         ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        n = rs.getInt(1);
                    }
                    bothRead.countDown();
                    try {
                        bothRead.await(30, TimeUnit.SECONDS); // open for good once both first runs read
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO resources(kind, id, name, body) VALUES ('counter', ?, ?, '{}')")) {
                        ps.setString(1, id);
                        ps.setString(2, "n" + n);
                        ps.executeUpdate();
                    }
                    return n;
                })));
            }
            Set<Integer> numbers = Set.of(runs.get(0).get(), runs.get(1).get());
            threads.shutdown();
            assertEquals(Set.of(0, 1), numbers, "the retried transaction saw the first one's row");
        }
    }
}
