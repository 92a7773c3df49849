package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.open();

    @Test
    void runsAPagesScriptAndReadsWhatItWrote(@TempDir Path tmp) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = "<!doctype html><p id=out></p><script>document.getElementById('out').textContent = 'made by ' + (2 + 3)</script>"
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        server.start();
        try {
            browser.go("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            assertEquals("made by 5", browser.withText("#out", "made by").getText());
            Path shot = browser.screenshot(tmp.resolve("page.png"));
            byte[] png = Files.readAllBytes(shot);
            assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG screenshot");
        } finally {
            server.stop(0);
        }
    }
}
