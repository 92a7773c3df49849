package dev.loupe.media;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.Images;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(10_000_000);

    @Test
    void askingForAtLeastIntegerMaxValuePixelsDecodesAtFullSize() throws Exception {
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        ImageDecoder.Decoded d = decoder.decode(Images.png(img), Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(300, d.image().getWidth());
        assertEquals(200, d.image().getHeight());
    }

    @Test
    void exifOrientationSixTurnsTheImageUpright() throws Exception {
        // 200×100: left half red, right half blue. Orientation 6 means "rotate 90° clockwise to view".
        BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) for (int x = 0; x < 200; x++) img.setRGB(x, y, (x < 100 ? Color.RED : Color.BLUE).getRGB());
        byte[] jpeg = Images.withOrientation(Images.jpeg(img), 6);
        assertEquals(6, ExifOrientation.read(jpeg));
        ImageDecoder.Decoded d = decoder.decode(jpeg, 1000, 1000);
        assertEquals(100, d.image().getWidth());
        assertEquals(200, d.image().getHeight());
        assertTrue(isRed(d.image().getRGB(50, 20)), "left half ends on top");
        assertTrue(isBlue(d.image().getRGB(50, 180)), "right half ends at the bottom");
    }

    @Test
    void everyOrientationMovesEveryPixelWhereTheExifSpecSays() {
        int w = 5, h = 3; // every pixel distinct, so a mirror or a wrong turn cannot pass
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, 1 + y * w + x);
        int checked = 0;
        for (int o = 1; o <= 8; o++) {
            BufferedImage out = ExifOrientation.apply(img, o);
            assertEquals(o >= 5 ? h : w, out.getWidth(), "width for orientation " + o);
            assertEquals(o >= 5 ? w : h, out.getHeight(), "height for orientation " + o);
            for (int y = 0; y < out.getHeight(); y++) {
                for (int x = 0; x < out.getWidth(); x++) {
                    int[] src = stored(o, x, y, w, h);
                    assertEquals(1 + src[1] * w + src[0], out.getRGB(x, y) & 0xffffff, "orientation " + o + " at " + x + "," + y);
                }
            }
            checked++;
        }
        assertEquals(8, checked);
    }

    @Test
    void everyOrientationInAJpegPutsEachCornerWhereItBelongs() throws Exception {
        // 64×32 in four quadrants: red top-left, green top-right, blue bottom-left, yellow bottom-right
        int w = 64, h = 32;
        Color[] quadrant = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, quadrant[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)].getRGB());
        byte[] plain = Images.jpeg(img);
        java.util.List<ImageDecoder> decoders = new java.util.ArrayList<>(java.util.List.of(new ImageDecoder(10_000_000, Optional.empty())));
        TurboJpeg.load().ifPresent(t -> decoders.add(new ImageDecoder(10_000_000, Optional.of(t))));
        int checked = 0;
        for (ImageDecoder d : decoders) {
            for (int o = 1; o <= 8; o++) {
                BufferedImage out = d.decode(Images.withOrientation(plain, o), 1000, 1000).image();
                assertEquals(o >= 5 ? h : w, out.getWidth(), "width for orientation " + o);
                int ow = out.getWidth(), oh = out.getHeight();
                int[][] corners = {{2, 2}, {ow - 3, 2}, {2, oh - 3}, {ow - 3, oh - 3}};
                for (int[] c : corners) {
                    int[] src = stored(o, c[0], c[1], w, h);
                    Color expected = quadrant[(src[1] < h / 2 ? 0 : 2) + (src[0] < w / 2 ? 0 : 1)];
                    assertEquals(expected, nearest(new Color(out.getRGB(c[0], c[1])), quadrant),
                            "orientation " + o + ", displayed corner " + c[0] + "," + c[1]);
                    checked++;
                }
            }
        }
        assertEquals(decoders.size() * 8 * 4, checked);
    }

    /**
     * Where displayed pixel (x, y) comes from in the stored {@code w × h} image, from the
     * EXIF 2.3 definitions of the eight orientations (tag 0x0112).
     */
    private static int[] stored(int orientation, int x, int y, int w, int h) {
        return switch (orientation) {
            case 1 -> new int[] {x, y};
            case 2 -> new int[] {w - 1 - x, y}; // mirrored left to right
            case 3 -> new int[] {w - 1 - x, h - 1 - y}; // turned 180°
            case 4 -> new int[] {x, h - 1 - y}; // mirrored top to bottom
            case 5 -> new int[] {y, x}; // transposed
            case 6 -> new int[] {y, h - 1 - x}; // view by turning 90° clockwise
            case 7 -> new int[] {w - 1 - y, h - 1 - x}; // transversed
            case 8 -> new int[] {w - 1 - y, x}; // view by turning 90° anticlockwise
            default -> throw new IllegalArgumentException("orientation " + orientation);
        };
    }

    private static Color nearest(Color c, Color[] palette) {
        Color best = palette[0];
        int bestD = Integer.MAX_VALUE;
        for (Color p : palette) {
            int dr = c.getRed() - p.getRed(), dg = c.getGreen() - p.getGreen(), db = c.getBlue() - p.getBlue();
            int d = dr * dr + dg * dg + db * db;
            if (d < bestD) {
                bestD = d;
                best = p;
            }
        }
        return best;
    }

    @Test
    void imagesOverThePixelLimitAreRefusedBeforeDecoding() {
        ImageDecoder small = new ImageDecoder(1000);
        ImageException e = assertThrows(ImageException.class, () -> small.decode(Images.png(Images.dominant(Color.RED, 40, 30, 1)), 16, 16));
        assertTrue(e.getMessage().contains("1200 pixels, over the limit of 1000"), e.getMessage());
    }

    @Test
    void truncatedEmptyAndNonImageBytesAreRefused() {
        byte[] jpeg = Images.jpeg(Images.dominant(Color.ORANGE, 300, 200, 3));
        assertThrows(ImageException.class, () -> decoder.decode(Arrays.copyOf(jpeg, jpeg.length / 2), 16, 16));
        assertThrows(ImageException.class, () -> decoder.decode(new byte[0], 16, 16));
        ImageException text = assertThrows(ImageException.class, () -> decoder.decode("hello".getBytes(), 16, 16));
        assertTrue(text.getMessage().contains("not a supported image format"), text.getMessage());
    }

    @Test
    void largeImagesAreSubsampledButKeepEnoughWidth() throws Exception {
        byte[] jpeg = Images.jpeg(Images.dominant(Color.BLUE, 3000, 2000, 1));
        ImageDecoder.Decoded imageIo = new ImageDecoder(10_000_000, Optional.empty()).decode(jpeg, 640, 224);
        assertEquals(3000, imageIo.originalWidth());
        assertTrue(imageIo.image().getWidth() >= 640 * 2 && imageIo.image().getWidth() < 3000, "point subsampling keeps 2× margin");
        Assumptions.assumeTrue(TurboJpeg.load().isPresent(), "libturbojpeg0 is not installed");
        ImageDecoder.Decoded dct = new ImageDecoder(10_000_000, TurboJpeg.load()).decode(jpeg, 640, 224);
        assertEquals(750, dct.image().getWidth(), "DCT scaling picks 2/8, the smallest scale still ≥ 640 wide");
        assertEquals(500, dct.image().getHeight());
        assertEquals(3000, dct.originalWidth());
    }

    @Test
    void turboJpegAndImageIoDecodeTheSamePictureAndRefuseTheSameDamage() throws Exception {
        Assumptions.assumeTrue(TurboJpeg.load().isPresent(), "libturbojpeg0 is not installed");
        byte[] jpeg = Images.withOrientation(Images.jpeg(Images.dominant(Color.ORANGE, 400, 300, 9)), 6);
        BufferedImage fast = new ImageDecoder(10_000_000, TurboJpeg.load()).decode(jpeg, 4000, 4000).image();
        BufferedImage slow = new ImageDecoder(10_000_000, Optional.empty()).decode(jpeg, 4000, 4000).image();
        assertEquals(slow.getWidth(), fast.getWidth());
        assertEquals(300, fast.getWidth(), "EXIF orientation applies on the fast path too");
        long diff = 0;
        for (int y = 0; y < fast.getHeight(); y++) {
            for (int x = 0; x < fast.getWidth(); x++) {
                int p = fast.getRGB(x, y), q = slow.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) diff += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
            }
        }
        assertTrue(diff / (3.0 * 300 * 400) < 1.0, "mean difference " + diff / (3.0 * 300 * 400));
        ImageDecoder turbo = new ImageDecoder(10_000_000, TurboJpeg.load());
        assertThrows(ImageException.class, () -> turbo.decode(Arrays.copyOf(jpeg, jpeg.length / 2), 16, 16));
        ImageException bomb = assertThrows(ImageException.class, () -> new ImageDecoder(1000, TurboJpeg.load()).decode(jpeg, 16, 16));
        assertTrue(bomb.getMessage().contains("over the limit"), bomb.getMessage());
    }

    @Test
    void grayscaleAndTransparentImagesBecomeRgb() throws Exception {
        BufferedImage gray = new BufferedImage(50, 40, BufferedImage.TYPE_BYTE_GRAY);
        assertEquals(BufferedImage.TYPE_INT_RGB, decoder.decode(Images.png(gray), 16, 16).image().getType());
        BufferedImage alpha = new BufferedImage(50, 40, BufferedImage.TYPE_INT_ARGB);
        BufferedImage decoded = decoder.decode(Images.png(alpha), 16, 16).image();
        assertEquals(Color.WHITE.getRGB(), decoded.getRGB(10, 10), "transparent pixels composite onto white");
    }

    @Test
    void aJpegWhoseExifPointsOutsideItselfIsReadWithoutItsOrientation() throws Exception {
        BufferedImage img = Images.dominant(Color.ORANGE, 200, 100, 4);
        byte[] plain = Images.jpeg(img);
        // Offsets past the segment, past 2³¹ (negative as an int) and just below 2³² (a small negative int).
        long[] wild = {1_000_000L, 0x8000_0000L, 0xFFFF_FFF8L, 0xFFFF_FFFFL};
        ImageDecoder imageIo = new ImageDecoder(10_000_000, Optional.empty());
        for (long offset : wild) {
            byte[] jpeg = Images.withExif(plain, offset, 6);
            assertEquals(1, ExifOrientation.read(jpeg), "IFD offset " + offset);
            ImageDecoder.Decoded d = imageIo.decode(jpeg, 1000, 1000);
            assertEquals(200, d.image().getWidth(), "IFD offset " + offset + ": decoded as stored");
            assertEquals(100, d.image().getHeight(), "IFD offset " + offset);
        }
        Assumptions.assumeTrue(TurboJpeg.load().isPresent(), "libturbojpeg0 is not installed");
        ImageDecoder turbo = new ImageDecoder(10_000_000, TurboJpeg.load());
        for (long offset : wild) {
            assertEquals(200, turbo.decode(Images.withExif(plain, offset, 6), 1000, 1000).image().getWidth(), "IFD offset " + offset);
        }
    }

    @Test
    void randomlyDamagedExifHeadersNeverThrowAndYieldAnOrientation() {
        byte[] jpeg = Images.withOrientation(Images.jpeg(Images.dominant(Color.GREEN, 16, 16, 5)), 3);
        Random rnd = new Random(11);
        int cases = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] damaged = jpeg.clone();
            // The APP1 segment sits at 2..40: its length, "Exif", the TIFF header, the entry.
            for (int flips = 1 + rnd.nextInt(4); flips > 0; flips--) damaged[2 + rnd.nextInt(38)] = (byte) rnd.nextInt(256);
            int cut = rnd.nextInt(4) == 0 ? 4 + rnd.nextInt(40) : damaged.length;
            int o = ExifOrientation.read(Arrays.copyOf(damaged, cut));
            assertTrue(o >= 1 && o <= 8, "orientation " + o);
            cases++;
        }
        assertEquals(20_000, cases);
    }

    @Test
    void stripsLongerThanTheAspectLimitAreRefusedFromTheirHeader() {
        int[][] strips = {{1, 1000}, {1, 30000}, {30000, 1}, {2, 201}};
        for (int[] s : strips) {
            byte[] png = Images.png(new BufferedImage(s[0], s[1], BufferedImage.TYPE_INT_RGB));
            ImageException e = assertThrows(ImageException.class, () -> decoder.decode(png, 640, 224), s[0] + "×" + s[1]);
            assertTrue(e.getMessage().contains("aspect ratio") && e.getMessage().contains(s[0] + "×" + s[1]), e.getMessage());
        }
        byte[] atLimit = Images.png(new BufferedImage(2, 200, BufferedImage.TYPE_INT_RGB));
        assertDoesNotThrow(() -> decoder.decode(atLimit, 640, 224), "100:1 is still accepted");
    }

    private static boolean isRed(int rgb) {
        Color c = new Color(rgb);
        return c.getRed() > 200 && c.getBlue() < 60;
    }

    private static boolean isBlue(int rgb) {
        Color c = new Color(rgb);
        return c.getBlue() > 200 && c.getRed() < 60;
    }
}
