package dev.loupe.media;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns untrusted bytes into an upright RGB image, safely.
 *
 * <ul>
 *   <li>The header is read first and an image whose width × height exceeds
 *       {@code maxPixels} is refused before any pixel is decoded (decompression bombs).</li>
 *   <li>Large images are decoded with source subsampling, keeping at least twice the
 *       requested width and height so the later high-quality resize has margin; this
 *       is much cheaper than decoding every pixel and shrinking.</li>
 *   <li>A decoder warning that data is missing or damaged (a truncated JPEG) fails
 *       the image rather than silently yielding a half-grey picture; informational
 *       warnings (a CMYK JPEG without an ICC profile) do not.</li>
 *   <li>An image more than {@link #MAX_ASPECT_RATIO} times longer than wide (or the
 *       reverse) is refused from its header too: its model input would be unbounded.</li>
 *   <li>EXIF orientation is applied; transparency is composited onto white.</li>
 *   <li>HEIC and AVIF go through {@link Vips} when libvips is installed.</li>
 *   <li>JPEGs go through {@link TurboJpeg} when libjpeg-turbo is installed, decoded at a
 *       reduced DCT scale (n/8) that still covers the requested size; anything it cannot
 *       do (CMYK, an error) falls back to ImageIO, whose rules then decide.</li>
 * </ul>
 */
public final class ImageDecoder {
    private static final java.util.regex.Pattern DAMAGE = java.util.regex.Pattern.compile(
            "(?i)premature|corrupt|truncat|end of (file|stream)|\\beof\\b|unexpected|missing|invalid|bad ");

    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;

    /**
     * The longest side may be at most this many times the shortest. Model inputs scale the
     * short side to the model's size, so the work and memory for one image grow with this
     * ratio (a 1×30000 strip would become 224 × 6.7 million pixels); no photograph comes near it.
     */
    public static final int MAX_ASPECT_RATIO = 100;

    private final long maxPixels;
    private final Optional<TurboJpeg> turbo;
    private final Optional<Vips> vips;

    /** A decoder that uses libjpeg-turbo and libvips when they are installed. */
    public ImageDecoder(long maxPixels) {
        this(maxPixels, TurboJpeg.load(), Vips.load());
    }

    public ImageDecoder(long maxPixels, Optional<TurboJpeg> turbo) {
        this(maxPixels, turbo, Vips.load());
    }

    public ImageDecoder(long maxPixels, Optional<TurboJpeg> turbo, Optional<Vips> vips) {
        this.maxPixels = maxPixels;
        this.turbo = turbo;
        this.vips = vips;
    }

    /** A decoded image and the size of the original before subsampling. */
    public record Decoded(BufferedImage image, int originalWidth, int originalHeight, String format) {
    }

    /** Decodes so that the result stays at least {@code minWidth} × {@code minHeight} where the source allows. */
    public Decoded decode(byte[] bytes, int minWidth, int minHeight) throws ImageException {
        if (bytes.length == 0) throw new ImageException("image is empty (0 bytes)");
        if (turbo.isPresent() && bytes.length > 3 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8) {
            Optional<Decoded> fast = decodeTurbo(turbo.get(), bytes, minWidth, minHeight);
            if (fast.isPresent()) return fast.get();
        }
        if (Vips.isHeif(bytes)) {
            Vips v = vips.orElseThrow(() -> new ImageException("HEIC/AVIF images need libvips, which is not installed (apt-get install libvips42)"));
            int[] size = v.size(bytes);
            checkArea(size[0], size[1]);
            BufferedImage image = v.decode(bytes, size[0], size[1], minWidth, minHeight);
            boolean swapped = (image.getWidth() > image.getHeight()) != (size[0] > size[1]);
            return new Decoded(image, swapped ? size[1] : size[0], swapped ? size[0] : size[1], "heif");
        }
        return decodeImageIo(bytes, minWidth, minHeight);
    }

    private Optional<Decoded> decodeTurbo(TurboJpeg tj, byte[] bytes, int minWidth, int minHeight) throws ImageException {
        TurboJpeg.Header h;
        try {
            h = tj.header(bytes);
        } catch (ImageException e) {
            return Optional.empty();
        }
        checkArea(h.width(), h.height());
        if (h.colorspace() == TJCS_CMYK || h.colorspace() == TJCS_YCCK) return Optional.empty();
        try {
            BufferedImage raw = tj.decode(bytes, h, minWidth, minHeight);
            int orientation = ExifOrientation.read(bytes);
            boolean swapped = orientation >= 5;
            return Optional.of(new Decoded(ExifOrientation.apply(raw, orientation),
                    swapped ? h.height() : h.width(), swapped ? h.width() : h.height(), "jpeg"));
        } catch (ImageException e) {
            return Optional.empty();
        }
    }

    private void checkArea(int width, int height) throws ImageException {
        if (width <= 0 || height <= 0) throw new ImageException("image has no pixels (" + width + "×" + height + ")");
        if ((long) width * height > maxPixels) {
            throw new ImageException("image is " + width + "×" + height + " = " + ((long) width * height)
                    + " pixels, over the limit of " + maxPixels);
        }
        long longSide = Math.max(width, height), shortSide = Math.min(width, height);
        if (longSide > shortSide * MAX_ASPECT_RATIO) {
            throw new ImageException("image is " + width + "×" + height + ", an aspect ratio of "
                    + Math.round((double) longSide / shortSide) + ":1, over the limit of " + MAX_ASPECT_RATIO + ":1");
        }
    }

    private Decoded decodeImageIo(byte[] bytes, int minWidth, int minHeight) throws ImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new ImageException("not a supported image format (" + signature(bytes) + ")");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkArea(width, height);
                ImageReadParam param = reader.getDefaultReadParam();
                // long: a caller asking for full size with Integer.MAX_VALUE must not overflow into a huge step
                int step = (int) Math.max(1, Math.min(width / Math.max(1, 2L * minWidth), height / Math.max(1, 2L * minHeight)));
                if (step > 1) param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage raw = reader.read(0, param);
                for (String warning : warnings) {
                    if (DAMAGE.matcher(warning).find()) throw new ImageException("corrupt image: " + warning);
                }
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                BufferedImage rgb = toRgb(raw);
                int orientation = format.contains("jp") ? ExifOrientation.read(bytes) : 1;
                BufferedImage upright = ExifOrientation.apply(rgb, orientation);
                boolean swapped = orientation >= 5;
                return new Decoded(upright, swapped ? height : width, swapped ? width : height, format);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageException("cannot decode image: " + why, e);
        } catch (OutOfMemoryError e) {
            throw new ImageException("image needs more memory to decode than is available", e);
        }
    }

    private static BufferedImage toRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) return src;
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, src.getWidth(), src.getHeight());
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static String signature(byte[] bytes) {
        StringBuilder sb = new StringBuilder("first bytes:");
        for (int i = 0; i < Math.min(8, bytes.length); i++) sb.append(String.format(" %02x", bytes[i] & 0xff));
        return sb.toString();
    }
}
