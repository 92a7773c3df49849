package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.Loupe;
import dev.loupe.config.Settings;
import dev.loupe.index.VectorQuantization;
import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --host} decides where Loupe listens: bound to 127.0.0.1, another loopback address finds nothing there. */
class ListenAddressTest {
    @Test
    void boundTo127001ItIsNotReachedOnAnotherLoopbackAddress(@TempDir Path data) throws IOException {
        Settings settings = new Settings(0, data, Fixtures.modelsDir(), Fixtures.MODEL, true, 1 << 20, 1_000_000, 1, 4,
                Optional.empty(), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE, "127.0.0.1");
        try (Loupe loupe = Loupe.start(settings)) {
            assertEquals(200, new Api("http://127.0.0.1:" + loupe.port(), null, null).get("/v1/health").status());
            try (Socket s = new Socket()) {
                assertThrows(IOException.class, () -> s.connect(new InetSocketAddress("127.0.0.2", loupe.port()), 2000));
            }
        }
    }
}
