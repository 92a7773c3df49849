package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThumbnailRefTest {
    private static final String SHA = "0123456789abcdef".repeat(4);

    @Test
    void aReferenceReadsBackAsTheThumbnailItNames() {
        ThumbnailRef ref = new ThumbnailRef(SHA);
        assertEquals("/thumbnails/" + SHA + ".jpg", ref.path());
        assertEquals(Optional.of(ref), ThumbnailRef.parse(ref.path()));
        assertEquals(Optional.of(ref), ThumbnailRef.ofFileName(SHA + ".jpg"));
    }

    @Test
    void anythingButTheExactSpellingIsNoReference() {
        for (String text : List.of("/thumbnails/" + SHA, "/thumbnails/" + SHA.toUpperCase() + ".jpg", "/thumbnails/" + SHA + ".png",
                "/thumbnails//etc/" + SHA + ".jpg", "/thumbnails/../" + SHA + ".jpg", "thumbnails/" + SHA + ".jpg",
                "/thumbnails/" + SHA + ".jpg/", "/thumbnails/" + SHA.substring(1) + ".jpg", "/thumbnails/" + SHA + ".jpg\n")) {
            assertTrue(ThumbnailRef.parse(text).isEmpty(), text);
        }
        assertTrue(ThumbnailRef.ofFileName("..%2F" + SHA + ".jpg").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new ThumbnailRef("../x"));
    }
}
