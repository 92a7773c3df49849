package dev.loupe.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void defaultsEnvironmentAndFlagsInOrderOfPrecedence() {
        Settings defaults = Settings.from(new String[0], Map.of());
        assertEquals(8080, defaults.port());
        assertEquals(Settings.DEFAULT_IMAGE_MODEL, defaults.defaultImageModel());
        assertFalse(defaults.allowPrivateUrls());
        Settings env = Settings.from(new String[0], Map.of("LOUPE_PORT", "9000", "LOUPE_ALLOW_PRIVATE_URLS", "true"));
        assertEquals(9000, env.port());
        assertTrue(env.allowPrivateUrls());
        Settings flags = Settings.from(new String[] {"--port", "9100", "--image-model=fixture"}, Map.of("LOUPE_PORT", "9000"));
        assertEquals(9100, flags.port());
        assertEquals("fixture", flags.defaultImageModel());
        assertTrue(flags.dataDir().isAbsolute());
    }

    @Test
    void theListenAddressIsEveryInterfaceUnlessNamed() {
        assertEquals("0.0.0.0", Settings.from(new String[0], Map.of()).host());
        assertEquals("127.0.0.1", Settings.from(new String[] {"--host", "127.0.0.1"}, Map.of()).host());
        assertEquals("::1", Settings.from(new String[0], Map.of("LOUPE_HOST", "::1")).host());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--host", "http://x/"}, Map.of()))
                .getMessage().contains("host"));
    }

    @Test
    void theKafkaQueueIsChosenByFlagAndNeedsItsBrokers() {
        assertTrue(Settings.from(new String[0], Map.of()).kafka().isEmpty(), "the SQL queue unless told otherwise");
        var kafka = Settings.from(new String[] {"--queue", "kafka", "--kafka-bootstrap", "k1:9092,k2:9092"}, Map.of()).kafka().orElseThrow();
        assertEquals("k1:9092,k2:9092", kafka.bootstrapServers());
        assertEquals("loupe.work", kafka.topic());
        assertEquals(6, kafka.partitions());
        assertEquals("loupe-workers", kafka.group());
        assertEquals(java.time.Duration.ofSeconds(10), kafka.sessionTimeout(), "a dead node's work moves in seconds, not Kafka's 45");
        assertEquals(java.time.Duration.ofSeconds(30), Settings.from(new String[] {"--queue", "kafka", "--kafka-bootstrap", "k:1",
                "--kafka-session-timeout", "30"}, Map.of()).kafka().orElseThrow().sessionTimeout());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--queue", "kafka", "--kafka-bootstrap", "k:1",
                "--kafka-session-timeout", "0"}, Map.of())).getMessage().contains("--kafka-session-timeout"));
        assertEquals(12, Settings.from(new String[] {"--kafka-partitions", "12"}, Map.of("LOUPE_QUEUE", "kafka", "LOUPE_KAFKA_BOOTSTRAP", "k:1"))
                .kafka().orElseThrow().partitions());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--queue", "kafka"}, Map.of()))
                .getMessage().contains("--kafka-bootstrap"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--queue", "rabbit"}, Map.of()))
                .getMessage().contains("--queue"));
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--port", "abc"}, Map.of()))
                .getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--colour", "red"}, Map.of()))
                .getMessage().contains("unknown flag --colour"));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--workers", "0"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--port"}, Map.of()));
        assertTrue(Settings.usage().contains("LOUPE_MODELS_DIR"));
    }

    @Test
    void switchesWorkBareOrWithAnExplicitValueAndTakeOnlyATrueOrFalseThatFollows() {
        Settings bare = Settings.from(new String[] {"--offline", "--allow-private-urls", "--port", "9100"}, Map.of());
        assertTrue(bare.offline());
        assertTrue(bare.allowPrivateUrls());
        assertEquals(9100, bare.port());
        Settings off = Settings.from(new String[] {"--offline=false", "--allow-private-urls=true"}, Map.of("LOUPE_OFFLINE", "true"));
        assertFalse(off.offline(), "the flag wins over the environment");
        assertTrue(off.allowPrivateUrls());
        Settings spaced = Settings.from(new String[] {"--offline", "false", "--allow-private-urls", "true", "--workers", "2"},
                Map.of("LOUPE_OFFLINE", "true"));
        assertFalse(spaced.offline(), "a true/false right after a switch is its value");
        assertTrue(spaced.allowPrivateUrls());
        assertEquals(2, spaced.workers());
        IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[] {"--offline", "maybe"}, Map.of()));
        assertTrue(stray.getMessage().contains("unexpected argument: maybe") && stray.getMessage().contains("--offline=true|false"),
                stray.getMessage());
    }

    @Test
    void booleanEnvironmentVariablesAreReadStrictly() {
        assertTrue(Settings.from(new String[0], Map.of("LOUPE_OFFLINE", "true")).offline());
        assertTrue(Settings.from(new String[0], Map.of("LOUPE_OFFLINE", "1")).offline());
        assertTrue(Settings.from(new String[0], Map.of("LOUPE_ALLOW_PRIVATE_URLS", "YES")).allowPrivateUrls());
        assertFalse(Settings.from(new String[0], Map.of("LOUPE_OFFLINE", "0")).offline());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[0], Map.of("LOUPE_OFFLINE", "ture")));
        assertTrue(typo.getMessage().contains("LOUPE_OFFLINE") && typo.getMessage().contains("ture"), typo.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--offline=maybe"}, Map.of()));
    }

    @Test
    void attemptsAndFetchBoundsComeFromFlagsOrEnvironmentAndAreChecked() {
        Settings defaults = Settings.from(new String[0], Map.of());
        assertEquals(3, defaults.maxAttempts());
        assertEquals(java.time.Duration.ofSeconds(60), defaults.fetchTimeout());
        assertEquals(4096, defaults.fetchMinRate());
        Settings set = Settings.from(new String[] {"--max-attempts", "5", "--fetch-timeout=120", "--fetch-min-rate", "0"},
                Map.of("LOUPE_FETCH_TIMEOUT", "30", "LOUPE_MAX_ATTEMPTS", "2"));
        assertEquals(5, set.maxAttempts(), "the flag wins");
        assertEquals(java.time.Duration.ofSeconds(120), set.fetchTimeout());
        assertEquals(0, set.fetchMinRate(), "0 turns the rate guard off");
        assertEquals(java.time.Duration.ofSeconds(30), Settings.from(new String[0], Map.of("LOUPE_FETCH_TIMEOUT", "30")).fetchTimeout());
        for (String[] bad : new String[][] {{"--max-attempts", "0"}, {"--max-attempts", "101"}, {"--fetch-timeout", "0"},
                {"--fetch-timeout", "-5"}, {"--fetch-timeout", "86400"}, {"--fetch-min-rate", "-1"}, {"--fetch-min-rate", "fast"},
                {"--fetch-timeout", "99999999999"}, {"--max-attempts", "99999999999"}}) {
            String message = assertThrows(IllegalArgumentException.class, () -> Settings.from(bad, Map.of()), String.join(" ", bad)).getMessage();
            assertTrue(message.contains(bad[0]), message);
            assertTrue(message.contains(bad[1]), message);
        }
        assertTrue(Settings.usage().contains("LOUPE_FETCH_MIN_RATE"));
    }

    @Test
    void theCatalogIsSqliteUnlessAPostgresUrlIsGivenWhosePasswordIsNeverAFlagNorPrinted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertTrue(Settings.from(new String[0], Map.of()).catalog().postgres().isEmpty(), "SQLite by default");
        Settings pg = Settings.from(new String[] {"--catalog-url", "postgresql://loupe@db.internal:5433/loupe", "--node-id", "node-1"},
                Map.of("LOUPE_CATALOG_PASSWORD", "s3cret-pw", "LOUPE_CATALOG_POOL_SIZE", "3"));
        dev.loupe.catalog.PostgresOptions o = pg.catalog().postgres().orElseThrow();
        assertEquals("jdbc:postgresql://db.internal:5433/loupe", o.jdbcUrl());
        assertEquals("loupe", o.user());
        assertEquals("s3cret-pw", o.password());
        assertEquals(3, o.poolSize());
        assertEquals(java.util.Optional.of("node-1"), pg.catalog().nodeId());
        assertEquals(8, Settings.from(new String[] {"--catalog-url", "postgresql://loupe@db/loupe"}, Map.of()).catalog().postgres().orElseThrow().poolSize());
        assertFalse(pg.toString().contains("s3cret-pw"), pg.toString());
        java.nio.file.Path file = dir.resolve("pw");
        java.nio.file.Files.writeString(file, "from-file\n");
        assertEquals("from-file", Settings.from(new String[] {"--catalog-url", "postgresql://loupe@db/loupe", "--catalog-password-file", file.toString()},
                Map.of("LOUPE_CATALOG_PASSWORD", "ignored")).catalog().postgres().orElseThrow().password(), "the file wins");
        String flag = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[] {"--catalog-password", "s3cret-pw"}, Map.of())).getMessage();
        assertTrue(flag.contains("LOUPE_CATALOG_PASSWORD") && !flag.contains("s3cret-pw"), flag);
        String inUrl = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[] {"--catalog-url", "postgresql://loupe:s3cret-pw@db/loupe"}, Map.of())).getMessage();
        assertFalse(inUrl.contains("s3cret-pw"), inUrl);
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--catalog-url", "mysql://loupe@db/loupe"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--catalog-pool-size", "4"}, Map.of()),
                "a pool size without a URL is a mistake");
    }
}
