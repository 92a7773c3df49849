package dev.loupe.testing.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.inference.ModelCatalog;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelRepository;
import dev.loupe.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code scripts/cluster.sh} relies on: the model it picks, the files it reads, and that stopping stops everything. */
class ClusterLauncherTest {
    @Test
    void theFixtureEncoderStandsInWithANoteUntilEveryFileOfTheDefaultModelIsThere(@TempDir Path models) throws Exception {
        ClusterLauncher.ImageModel empty = ClusterLauncher.ImageModel.choose(models);
        assertEquals(ModelRepository.FIXTURE_MODEL, empty.name());
        assertTrue(empty.note().orElseThrow().contains("siglip_base is not installed in " + models.toAbsolutePath()), empty.note().toString());

        ModelManifest siglip = new ModelCatalog(models).find("siglip_base").orElseThrow();
        List<String> files = siglip.files().stream().map(ModelManifest.ModelFile::path).toList();
        for (String f : files.subList(0, files.size() - 1)) touch(models.resolve("siglip_base").resolve(f));
        assertEquals(ModelRepository.FIXTURE_MODEL, ClusterLauncher.ImageModel.choose(models).name(), "one file short");

        touch(models.resolve("siglip_base").resolve(files.getLast()));
        ClusterLauncher.ImageModel installed = ClusterLauncher.ImageModel.choose(models);
        assertEquals("siglip_base", installed.name());
        assertTrue(installed.note().isEmpty(), installed.note().toString());
        assertEquals(List.of("--models-dir", models.toAbsolutePath().toString(), "--image-model", "siglip_base"), installed.flags());
    }

    @Test
    void upDescribesNodesThatAnswerAndCloseStopsTheProcessesItStarted(@TempDir Path dir) throws Exception {
        List<String> pids;
        long loupePid;
        try (ClusterLauncher.Running running = ClusterLauncher.up(dir, 1, dir.resolve("no-models"))) {
            assertTrue(Files.exists(dir.resolve(ClusterLauncher.READY)));
            String[] node = Files.readString(dir.resolve(ClusterLauncher.NODES)).strip().split(" ");
            assertEquals("node-a", node[0]);
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node[1] + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());

            String description = Files.readString(running.description());
            for (String expected : List.of(node[1], "admin key: " + TestServer.ADMIN_KEY, "NOTE: siglip_base is not installed",
                    "--catalog-url " + running.cluster().catalogUrl(), "--admin-key " + TestServer.ADMIN_KEY, "--queue kafka", "--index solr",
                    "--blob-store s3", "--image-model " + ModelRepository.FIXTURE_MODEL)) {
                assertTrue(description.contains(expected), "the description names " + expected + ":\n" + description);
            }

            pids = Files.readAllLines(dir.resolve(ClusterLauncher.PIDS));
            loupePid = running.cluster().node(0).process().pid();
            assertTrue(pids.contains(loupePid + " loupe node-a"), pids.toString());
            for (String name : List.of("kafka node-1", "kafka node-2", "kafka node-3", "s3proxy")) {
                assertTrue(pids.stream().anyMatch(l -> l.endsWith(" " + name)), name + " in " + pids);
            }
        }
        assertFalse(Files.exists(dir.resolve(ClusterLauncher.READY)), "not ready once closed");
        // PostgreSQL and SolrCloud are this JVM's shared fixtures and outlive one cluster; the rest ends with it.
        for (String line : pids) {
            String[] f = line.split(" ", 2);
            if (f[1].startsWith("loupe") || f[1].startsWith("kafka") || f[1].equals("s3proxy")) {
                assertFalse(ProcessHandle.of(Long.parseLong(f[0])).map(ProcessHandle::isAlive).orElse(false), line + " still runs");
            }
        }
    }

    private static void touch(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[0]);
    }
}
