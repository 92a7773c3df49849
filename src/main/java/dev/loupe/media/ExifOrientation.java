package dev.loupe.media;

import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;

/**
 * Reads the EXIF orientation tag (0x0112) from a JPEG's APP1 segment and applies it,
 * so images shot sideways are stored and embedded upright. Only the few bytes of the
 * header are parsed; any malformation simply means "no orientation".
 */
public final class ExifOrientation {
    private ExifOrientation() {}

    /** 1 (upright) to 8, or 1 when the file has no readable orientation. */
    public static int read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) return 1;
        int pos = 2;
        while (pos + 4 <= jpeg.length) {
            if ((jpeg[pos] & 0xff) != 0xFF) return 1;
            int marker = jpeg[pos + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) return 1; // image data begins: no EXIF before it
            int length = u16(jpeg, pos + 2, false);
            if (length < 2) return 1;
            if (marker == 0xE1 && pos + 10 <= jpeg.length && jpeg[pos + 4] == 'E' && jpeg[pos + 5] == 'x'
                    && jpeg[pos + 6] == 'i' && jpeg[pos + 7] == 'f') {
                int orientation = fromTiff(jpeg, pos + 10, Math.min(jpeg.length, pos + 2 + length));
                if (orientation != 0) return orientation;
            }
            pos += 2 + length;
        }
        return 1;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) return 0;
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) return 0;
        long ifd = u32(b, tiff + 4, little);
        // The offset is an unsigned 32-bit value from the file: compare it as a long, before
        // any int arithmetic can wrap it into a negative index.
        if (ifd < 8 || ifd > end - tiff - 2) return 0;
        int entries = tiff + (int) ifd;
        int count = u16(b, entries, little);
        for (int i = 0; i < count; i++) {
            int e = entries + 2 + i * 12;
            if (e + 12 > end) return 0;
            if (u16(b, e, little) == 0x0112) {
                int value = u16(b, e + 8, little);
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int at, boolean little) {
        int x = b[at] & 0xff, y = b[at + 1] & 0xff;
        return little ? (y << 8) | x : (x << 8) | y;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int shift = little ? 8 * i : 8 * (3 - i);
            v |= (long) (b[at + i] & 0xff) << shift;
        }
        return v;
    }

    /** Returns the image turned upright for EXIF orientation {@code orientation}. */
    public static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) return image;
        int w = image.getWidth(), h = image.getHeight();
        boolean swap = orientation >= 5;
        // new AffineTransform(m00, m10, m01, m11, m02, m12): x' = m00·x + m01·y + m02, y' = m10·x + m11·y + m12
        AffineTransform t = switch (orientation) {
            case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0);   // mirror horizontally
            case 3 -> new AffineTransform(-1, 0, 0, -1, w, h);  // rotate 180°
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, h);   // mirror vertically
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);    // transpose
            case 6 -> new AffineTransform(0, 1, -1, 0, h, 0);   // rotate 90° clockwise
            case 7 -> new AffineTransform(0, -1, -1, 0, h, w);  // transverse
            default -> new AffineTransform(0, -1, 1, 0, 0, w);  // 8: rotate 90° counter-clockwise
        };
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        new AffineTransformOp(t, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(image, out);
        return out;
    }
}
