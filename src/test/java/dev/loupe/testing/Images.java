package dev.loupe.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/** Test images drawn by code: a dominant colour with a little texture and a small contrasting patch. */
public final class Images {
    public static final Map<String, Color> BASIC = Map.of(
            "red", new Color(215, 25, 30), "orange", new Color(245, 140, 10), "yellow", new Color(245, 235, 25),
            "green", new Color(20, 150, 40), "blue", new Color(25, 40, 220), "purple", new Color(125, 20, 130),
            "black", new Color(12, 12, 12), "white", new Color(246, 246, 246));

    private Images() {}

    public static BufferedImage dominant(Color c, int width, int height, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int n = rnd.nextInt(11) - 5;
                img.setRGB(x, y, new Color(clamp(c.getRed() + n), clamp(c.getGreen() + n), clamp(c.getBlue() + n)).getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        g.setColor(c.getRed() + c.getGreen() + c.getBlue() > 600 ? Color.DARK_GRAY : Color.LIGHT_GRAY);
        g.fillRect(width * 2 / 5, height * 2 / 5, width / 8, height / 8);
        g.dispose();
        return img;
    }

    public static byte[] jpeg(BufferedImage img) {
        return encode(img, "jpg");
    }

    public static byte[] png(BufferedImage img) {
        return encode(img, "png");
    }

    public static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String dataUri(byte[] bytes, String mime) {
        return "data:" + mime + ";base64," + java.util.Base64.getEncoder().encodeToString(bytes);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** Inserts an APP1 EXIF segment with the given orientation right after the JPEG's SOI marker. */
    public static byte[] withOrientation(byte[] jpeg, int orientation) {
        return withExif(jpeg, 8, orientation);
    }

    /** As {@link #withOrientation}, with the header's first-IFD offset set to {@code ifdOffset} (a uint32). */
    public static byte[] withExif(byte[] jpeg, long ifdOffset, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt((int) ifdOffset); // header, then the IFD (at 8)
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = tiff.array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = 2 + 6 + exif.length;
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(exif);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A reference image file (a script's PNG) as {@code TYPE_INT_RGB}, as the decoders give images. */
    public static BufferedImage readRgb(java.nio.file.Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(image, 0, 0, null);
        return rgb;
    }

    /** A reference tensor file: little-endian float32 values, as numpy's {@code astype("<f4").tofile} writes them. */
    public static float[] readFloats(java.nio.file.Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
