package dev.loupe.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailerTest {

    @Test
    void ordinaryImagesKeepMixpeeksFixedWidth() {
        assertEquals(new Thumbnailer.Size(640, 480), Thumbnailer.size(800, 600));
        assertEquals(new Thumbnailer.Size(640, 853), Thumbnailer.size(300, 400));
        assertEquals(new Thumbnailer.Size(640, 1), Thumbnailer.size(30000, 1), "a wide strip still has a row");
    }

    @Test
    void tallImagesAreBoundedByTheMaximumHeightKeepingTheirAspectRatio() {
        // At 640 px wide these would need 64 000 and 640 000 rows (the 1×1000 one 1.6 GB of pixels).
        assertEquals(new Thumbnailer.Size(26, Thumbnailer.MAX_HEIGHT), Thumbnailer.size(10, 1000));
        assertEquals(new Thumbnailer.Size(3, Thumbnailer.MAX_HEIGHT), Thumbnailer.size(1, 1000));
        assertEquals(new Thumbnailer.Size(1, Thumbnailer.MAX_HEIGHT), Thumbnailer.size(1, 30000), "never zero wide");
        assertEquals(new Thumbnailer.Size(640, Thumbnailer.MAX_HEIGHT), Thumbnailer.size(640, 2560), "exactly at both bounds");
    }

    @Test
    void aTallImagesThumbnailJpegHasTheBoundedSize() throws Exception {
        BufferedImage tall = new BufferedImage(3, 300, BufferedImage.TYPE_INT_RGB);
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(Thumbnailer.jpeg(tall)));
        assertEquals(Thumbnailer.MAX_HEIGHT, thumbnail.getHeight());
        assertEquals(26, thumbnail.getWidth());
        assertTrue((long) thumbnail.getWidth() * thumbnail.getHeight() <= (long) Thumbnailer.WIDTH * Thumbnailer.MAX_HEIGHT);
    }
}
