package dev.loupe.testing.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture's SolrCloud must start beside whatever else the machine runs, a Loupe on its default port included. */
class SolrCloudStartTest {
    @TempDir
    Path dir;

    @Test
    void startsWhilePort8080IsTaken() throws Exception {
        // ZooKeeper's admin server binds 8080 unless told not to; before the fix its JVM exited with code 4.
        try (ServerSocket held = holdOrShare(8080); SolrCloud cloud = SolrCloud.start(dir, 1)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(cloud.baseUrl(0) + "/admin/info/system?wt=json")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** Binds {@code port} on every address; null when something else holds it already, which is the same test. */
    private static ServerSocket holdOrShare(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(port));
            return s;
        } catch (BindException taken) {
            s.close();
            return null;
        }
    }
}
