package dev.loupe.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
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

    /** A photo-like 800×600 picture: gradients, a sine pattern and hard-edged blocks. */
    private static BufferedImage picture() {
        BufferedImage img = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 600; y++) {
            for (int x = 0; x < 800; x++) {
                int r = x * 255 / 799, g = y * 255 / 599, b = (int) (128 + 100 * Math.sin(x / 9.0 + y / 13.0));
                if ((x / 100 + y / 100) % 3 == 0) r = 255 - r;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    private static double meanDifference(BufferedImage a, BufferedImage b) {
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    @Test
    void aThumbnailIsAJpegThatAnyDecoderReadsAsTheResizedPicture() throws Exception {
        BufferedImage source = picture();
        byte[] jpeg = Thumbnailer.jpeg(source);
        assertEquals(0xFFD8, (jpeg[0] & 0xff) << 8 | (jpeg[1] & 0xff), "starts with SOI");
        assertEquals(0xFFD9, (jpeg[jpeg.length - 2] & 0xff) << 8 | (jpeg[jpeg.length - 1] & 0xff), "ends with EOI");
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertEquals(640, read.getWidth());
        assertEquals(480, read.getHeight());
        double diff = meanDifference(read, Thumbnailer.Resize.to(source, 640, 480));
        assertTrue(diff < 4, "within JPEG loss of the resized picture: mean difference " + diff + " grey levels");
    }

    @Test
    void withLibjpegTurboInstalledThumbnailsAreEncodedByItAndMatchImageIosQuality() throws Exception {
        Assumptions.assumeTrue(TurboJpeg.load().isPresent(), "libturbojpeg0 is not installed");
        BufferedImage small = Thumbnailer.Resize.to(picture(), 640, 480);
        byte[] turbo = Thumbnailer.encodeJpeg(small, Thumbnailer.QUALITY);
        assertArrayEquals(TurboJpeg.load().get().encode(small, 85), turbo, "tjCompress2 at quality 85 wrote it");
        byte[] imageIo = Thumbnailer.encodeJpegImageIo(small, Thumbnailer.QUALITY);
        double turboDiff = meanDifference(ImageIO.read(new ByteArrayInputStream(turbo)), small);
        double imageIoDiff = meanDifference(ImageIO.read(new ByteArrayInputStream(imageIo)), small);
        assertTrue(Math.abs(turboDiff - imageIoDiff) < 0.5, "same loss as ImageIO's at the same quality: " + turboDiff + " vs " + imageIoDiff);
        assertTrue(turbo.length < 1.5 * imageIo.length && imageIo.length < 1.5 * turbo.length,
                "a comparable size: " + turbo.length + " vs " + imageIo.length + " bytes");
    }
}
