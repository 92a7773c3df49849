package dev.loupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.Settings;
import dev.loupe.index.VectorQuantization;
import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin key of a first start is never lost: not by a failed start, and not by a forgetful operator. */
class FirstStartTest {
    private static final Pattern PRINTED_KEY = Pattern.compile("shown once, store it now\\): (lpk_\\S+)");

    private static Settings settings(Path data, int port) {
        return new Settings(port, data, Fixtures.modelsDir(), Fixtures.MODEL, true, 1 << 20, 1_000_000, 1, 4,
                Optional.empty(), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE);
    }

    private static int status(Loupe loupe, String key) {
        return new Api("http://127.0.0.1:" + loupe.port(), key, null).post("/v1/buckets/list", "{}").status();
    }

    @Test
    void aFirstStartOnAPortInUseFailsClearlyAndTheNextStartStillGivesAWorkingAdminKey(@TempDir Path data) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Loupe.start(settings(data, taken.getLocalPort())));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()) && e.getMessage().contains("--port"), e.getMessage());
        }
        String key;
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            key = loupe.generatedAdminKey().orElseThrow(() -> new AssertionError("the failed start used up the one admin key"));
            assertEquals(200, status(loupe, key));
        }
        try (Loupe again = Loupe.start(settings(data, 0))) {
            assertTrue(again.generatedAdminKey().isEmpty(), "a key is generated on the first successful start only");
            assertEquals(200, status(again, key));
        }
    }

    @Test
    void aLostAdminKeyIsReplacedFromTheCommandLineOnlyWhileLoupeIsStopped(@TempDir Path data) throws Exception {
        String old;
        Map<String, String> env = Map.of("LOUPE_DATA_DIR", data.toString());
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            old = loupe.generatedAdminKey().orElseThrow();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, AdminKeyCommand.run(new String[] {"reset"}, env, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
            assertTrue(err.toString().contains("a Loupe is running on " + data) && err.toString().contains("stop it"), err.toString());
            assertEquals(200, status(loupe, old), "a refused reset changes nothing");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, AdminKeyCommand.run(new String[] {"reset", "--data-dir", data.toString()}, Map.of(),
                new PrintStream(out), new PrintStream(new ByteArrayOutputStream())));
        Matcher m = PRINTED_KEY.matcher(out.toString());
        assertTrue(m.find(), out.toString());
        String fresh = m.group(1);
        assertNotEquals(old, fresh);
        assertTrue(out.toString().contains("Revoked 1 admin key"), out.toString());
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            assertTrue(loupe.generatedAdminKey().isEmpty());
            assertEquals(200, status(loupe, fresh));
            assertEquals(401, status(loupe, old));
        }
    }

    @Test
    void resetNeedsExistingDataAndSaysWhatItDoes(@TempDir Path data) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, AdminKeyCommand.run(new String[] {"reset", "--data-dir", data.resolve("nothing").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
        assertTrue(err.toString().contains("no Loupe data in"), err.toString());
        ByteArrayOutputStream usage = new ByteArrayOutputStream();
        assertEquals(2, AdminKeyCommand.run(new String[0], Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(usage)));
        assertTrue(usage.toString().contains("loupe admin-key reset"), usage.toString());
    }
}
