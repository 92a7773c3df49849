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

/** Mixpeek's thumbnail: the upright image scaled to a fixed width, as a JPEG. */
public final class Thumbnailer {
    public static final int WIDTH = 640;
    public static final float QUALITY = 0.85f;

    private Thumbnailer() {}

    public static byte[] jpeg(BufferedImage upright) {
        int height = Math.max(1, Math.round(upright.getHeight() * (WIDTH / (float) upright.getWidth())));
        return encodeJpeg(Resize.to(upright, WIDTH, height), QUALITY);
    }

    public static byte[] encodeJpeg(BufferedImage image, float quality) {
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
