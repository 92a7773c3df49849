package dev.loupe.ingestion;

import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A Loupe in its own JVM with the fixture encoder as image model, so that a test can kill it with SIGKILL. */
record ChildLoupe(Process process, Api api) {
    static ChildLoupe start(Path dataDir) throws Exception {
        return start(dataDir, Fixtures.modelsDir());
    }

    /** A child on the models in {@code modelsDir}, such as {@code FaceFixtures.modelsDir()}. */
    static ChildLoupe start(Path dataDir, Path modelsDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.loupe.Loupe", "serve",
                "--port", "0", "--data-dir", dataDir.toString(), "--models-dir", modelsDir.toString(),
                "--image-model", Fixtures.MODEL, "--allow-private-urls", "true", "--admin-key", TestServer.ADMIN_KEY,
                "--batch-size", "8");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().put("DJL_OFFLINE", "true");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (!port.isDone()) log.append(line).append('\n');
                    int at = line.indexOf("listening on http://localhost:");
                    if (at >= 0) port.complete(Integer.parseInt(line.substring(at + 30).split("\\s")[0]));
                }
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                code = -1;
            }
            port.completeExceptionally(new IllegalStateException("child exited (" + code + ") before listening:\n" + log));
        });
        int p0 = port.get(60, TimeUnit.SECONDS);
        return new ChildLoupe(p, new Api("http://127.0.0.1:" + p0, TestServer.ADMIN_KEY, null));
    }

    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
