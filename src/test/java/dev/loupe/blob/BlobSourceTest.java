package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BlobSourceTest {
    private static final byte[] BYTES = "\u0089PNG fake".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void httpUrlsAreFetchedLater() {
        BlobSource s = BlobSource.parse("https://cdn.example.com/a.jpg", 100);
        assertEquals("cdn.example.com", assertInstanceOf(BlobSource.Remote.class, s).uri().getHost());
    }

    @Test
    void dataUrisAndRawBase64AreDecoded() {
        String b64 = Base64.getEncoder().encodeToString(BYTES);
        BlobSource.Inline uri = assertInstanceOf(BlobSource.Inline.class, BlobSource.parse("data:image/png;base64," + b64, 100));
        assertArrayEquals(BYTES, uri.bytes());
        assertEquals("image/png", uri.mimeType());
        assertArrayEquals(BYTES, assertInstanceOf(BlobSource.Inline.class, BlobSource.parse(b64, 100)).bytes());
    }

    @Test
    void otherFormsAreRefusedWithAReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BlobSource.parse("s3://b/k.jpg", 100)).getMessage().contains("scheme 's3'"));
        assertThrows(IllegalArgumentException.class, () -> BlobSource.parse("hello world", 100));
        assertThrows(IllegalArgumentException.class, () -> BlobSource.parse("data:image/png;base64,", 100));
        assertThrows(IllegalArgumentException.class, () -> BlobSource.parse("http:///nohost", 100));
        String big = Base64.getEncoder().encodeToString(new byte[4000]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BlobSource.parse(big, 1000)).getMessage().contains("limit"));
    }
}
