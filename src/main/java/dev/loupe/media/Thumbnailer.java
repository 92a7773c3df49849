package dev.loupe.media;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Mixpeek's thumbnail: the upright image scaled to a fixed width, as a JPEG. A tall image
 * is scaled to {@link #MAX_HEIGHT} instead, so the thumbnail's area, and the memory it
 * takes, stay bounded whatever the aspect ratio (a 1×1000 image at 640 px wide would
 * need 640 000 rows).
 */
public final class Thumbnailer {
    public static final int WIDTH = 640;
    public static final int MAX_HEIGHT = 4 * WIDTH;
    public static final float QUALITY = 0.85f;

    private Thumbnailer() {}

    public static byte[] jpeg(BufferedImage upright) {
        Size size = size(upright.getWidth(), upright.getHeight());
        return encodeJpeg(Resize.to(upright, size.width(), size.height()), QUALITY);
    }

    /** A thumbnail's dimensions, each between 1 and its bound. */
    public record Size(int width, int height) {
    }

    /** {@link #WIDTH} wide, or {@link #MAX_HEIGHT} high when that is the tighter bound, keeping the aspect ratio. */
    public static Size size(int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("image has no pixels (" + width + "×" + height + ")");
        double scale = Math.min(WIDTH / (double) width, MAX_HEIGHT / (double) height);
        int w = (int) Math.max(1, Math.min(WIDTH, Math.round(width * scale)));
        int h = (int) Math.max(1, Math.min(MAX_HEIGHT, Math.round(height * scale)));
        return new Size(w, h);
    }

    /**
     * A baseline JPEG at {@code quality} (0..1, IJG scale ×100): with libjpeg-turbo's
     * {@code tjCompress2} when it is installed (a 640×480 thumbnail in ~2 ms instead of ImageIO's
     * ~12), else, or should it fail, with ImageIO.
     */
    public static byte[] encodeJpeg(BufferedImage image, float quality) {
        var turbo = TurboJpeg.load();
        if (turbo.isPresent()) {
            try {
                return turbo.get().encode(image, Math.max(1, Math.min(100, Math.round(quality * 100))));
            } catch (ImageException e) {
                // ImageIO below gives the same kind of file
            }
        }
        return encodeJpegImageIo(image, quality);
    }

    /** {@link #encodeJpeg} with ImageIO only. */
    static byte[] encodeJpegImageIo(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Resizing with halving steps, so large reductions stay smooth instead of aliasing. */
    public static final class Resize {
        private Resize() {}

        public static BufferedImage to(BufferedImage src, int width, int height) {
            BufferedImage current = src;
            while (current.getWidth() / 2 >= width && current.getHeight() / 2 >= height) {
                current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
            }
            return current.getWidth() == width && current.getHeight() == height ? current : draw(current, width, height);
        }

        private static BufferedImage draw(BufferedImage src, int width, int height) {
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(src, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            return out;
        }
    }
}
