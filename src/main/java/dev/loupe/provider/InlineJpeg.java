package dev.loupe.provider;

import dev.loupe.media.Thumbnailer;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Base64;

/**
 * Images as providers take them inline: JPEG, downscaled so the long side is at most the
 * configured bound (providers resize large images themselves and bill the tokens of the
 * size sent, so sending more than they look at only costs bandwidth and money), in base64.
 */
final class InlineJpeg {
    static final float QUALITY = 0.9f;

    private InlineJpeg() {}

    /** The base64 of {@code image} as a JPEG whose long side is at most {@code maxSide}. */
    static String base64(BufferedImage image, int maxSide) {
        return Base64.getEncoder().encodeToString(jpeg(image, maxSide));
    }

    static byte[] jpeg(BufferedImage image, int maxSide) {
        int w = image.getWidth(), h = image.getHeight();
        double scale = Math.min(1.0, maxSide / (double) Math.max(w, h));
        int tw = (int) Math.max(1, Math.round(w * scale)), th = (int) Math.max(1, Math.round(h * scale));
        BufferedImage sized = scale < 1.0 ? Thumbnailer.Resize.to(image, tw, th) : image;
        return Thumbnailer.encodeJpeg(opaque(sized), QUALITY);
    }

    /** JPEG has no alpha and ImageIO's writer mangles images that have one: draw onto white RGB first. */
    private static BufferedImage opaque(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_3BYTE_BGR) return image;
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
