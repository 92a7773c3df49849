package dev.loupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.Fixtures;
import dev.loupe.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loupe serve} as a person starts it, in a child JVM: a start-up block on stdout and
 * nothing on stderr that means nothing to a user; a port in use or a data directory held by
 * another Loupe is one line on stderr and exit code 1.
 */
class ServeStartTest {
    /** The JVM's own notice of the Vector API module, which the {@code ./loupe} launcher filters out. */
    private static final String JVM_INCUBATOR_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector";

    private record Child(Process process, List<String> out, List<String> err) {
        /** stderr as a user of the launcher sees it. */
        List<String> errSeen() {
            return err.stream().filter(l -> !l.equals(JVM_INCUBATOR_NOTICE)).toList();
        }
    }

    private static Child serve(Path data, int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.loupe.Loupe", "serve",
                "--port", String.valueOf(port), "--data-dir", data.toString(), "--models-dir", Fixtures.modelsDir().toString(),
                "--image-model", Fixtures.MODEL, "--admin-key", TestServer.ADMIN_KEY, "--offline");
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        read(p.getInputStream(), out);
        read(p.getErrorStream(), err);
        return new Child(p, out, err);
    }

    private static void read(java.io.InputStream in, List<String> into) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) into.add(line);
            } catch (java.io.IOException ignored) {
                // the child ended
            }
        });
    }

    private static void assertOneLineRefusal(Child c, String expected) throws Exception {
        assertTrue(c.process().waitFor(60, TimeUnit.SECONDS), "the child exits");
        assertEquals(1, c.process().exitValue());
        Thread.sleep(200); // the readers drain what is left
        assertEquals(1, c.errSeen().size(), "one line, no stack trace: " + c.err());
        assertTrue(c.errSeen().getFirst().startsWith("loupe: ") && c.errSeen().getFirst().contains(expected), c.err().toString());
    }

    @Test
    void aPortInUseIsOneLineAndExitCodeOne(@TempDir Path data) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Child c = serve(data, taken.getLocalPort());
            assertOneLineRefusal(c, "cannot listen on port " + taken.getLocalPort() + ": it is in use");
        }
    }

    @Test
    void aDataDirectoryHeldByAnotherLoupeIsOneLineAndExitCodeOne(@TempDir Path data) throws Exception {
        try (TestServer holder = new TestServer(data)) {
            Child c = serve(data, 0);
            assertOneLineRefusal(c, "another Loupe is already using data directory " + data);
        }
    }

    @Test
    void aStartSaysWhatItUsesInOneBlockAndNothingElse(@TempDir Path data) throws Exception {
        Child c = serve(data, 0);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.out().stream().noneMatch(l -> l.contains("is ready")) && System.nanoTime() < deadline) Thread.sleep(50);
            List<String> out = new ArrayList<>(c.out());
            assertTrue(out.getFirst().startsWith("Loupe listening on http://localhost:"), out.toString());
            String block = String.join("\n", out);
            for (String part : List.of("data directory     " + data.toAbsolutePath(), "models directory   " + Fixtures.modelsDir().toAbsolutePath(),
                    "image model        " + Fixtures.MODEL, "OCR PP-OCRv4", "descriptions       off", "faces              detectors",
                    "metrics            GET /metrics")) {
                assertTrue(block.contains(part), part + " in:\n" + block);
            }
            assertTrue(out.getLast().equals("Image model " + Fixtures.MODEL + " is ready."), block);
            assertEquals(List.of(), c.errSeen(), "no framework chatter, GPU probing or age notices on a clean start");
            assertTrue((block + c.err()).chars().noneMatch(ch -> ch == 0x1b), "no terminal escapes");
        } finally {
            c.process().destroy();
            c.process().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
