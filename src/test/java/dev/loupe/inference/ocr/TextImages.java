package dev.loupe.inference.ocr;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Text images drawn by code with Debian's DejaVu fonts (fonts-dejavu-core), for the OCR tests. */
final class TextImages {
    static final String SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    static final String SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
    static final String MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

    private TextImages() {}

    static Font font(String file, float size) {
        try {
            return Font.createFont(Font.TRUETYPE_FONT, new File(file)).deriveFont(size);
        } catch (IOException e) {
            throw new UncheckedIOException("font " + file + " (Debian's fonts-dejavu-core) cannot be read", e);
        } catch (FontFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A line of text per entry, {@code size} pixels, from the top-left margin down with 1.8 × size line pitch. */
    static BufferedImage lines(int width, int height, Color background, Color ink, String fontFile, float size, List<String> lines) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font(fontFile, size));
        g.setColor(ink);
        float y = size * 1.5f;
        for (String line : lines) {
            g.drawString(line, size, y);
            y += size * 1.8f;
        }
        g.dispose();
        return img;
    }

    /** One line of text turned by {@code degrees} about the image centre. */
    static BufferedImage rotated(int width, int height, String fontFile, float size, String text, double degrees) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font(fontFile, size));
        g.setColor(Color.BLACK);
        g.transform(AffineTransform.getRotateInstance(Math.toRadians(degrees), width / 2.0, height / 2.0));
        int textWidth = g.getFontMetrics().stringWidth(text);
        g.drawString(text, (width - textWidth) / 2f, height / 2f + size / 3);
        g.dispose();
        return img;
    }
}
