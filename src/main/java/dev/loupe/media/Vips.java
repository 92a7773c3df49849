package dev.loupe.media;

import java.awt.image.BufferedImage;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * HEIF-family images (HEIC, AVIF) through libvips (Debian's {@code libvips42}, which reads
 * them with libheif), called with the FFM API. Only for formats ImageIO cannot read, and
 * only when the library is installed: {@link #load} is empty otherwise.
 *
 * <p>The header is read first so the pixel limit is enforced before decoding; decoding uses
 * {@code vips_thumbnail_buffer}, which shrinks while loading and applies EXIF orientation.
 */
public final class Vips {
    private static final Logger LOG = Logger.getLogger(Vips.class.getName());
    private static final int VIPS_FORMAT_UCHAR = 0;
    private static final Optional<Vips> INSTANCE = open();

    private final MethodHandle newFromBuffer;
    private final MethodHandle width;
    private final MethodHandle height;
    private final MethodHandle bands;
    private final MethodHandle format;
    private final MethodHandle thumbnailBuffer;
    private final MethodHandle writeToMemory;
    private final MethodHandle errorBuffer;
    private final MethodHandle errorClear;
    private final MethodHandle unref;
    private final MethodHandle free;

    private Vips(SymbolLookup vips, SymbolLookup gobject) throws Throwable {
        Linker linker = Linker.nativeLinker();
        var a = ValueLayout.ADDRESS;
        var i = ValueLayout.JAVA_INT;
        var l = ValueLayout.JAVA_LONG;
        MethodHandle init = linker.downcallHandle(vips.find("vips_init").orElseThrow(), FunctionDescriptor.of(i, a));
        // VipsImage *vips_image_new_from_buffer(const void *buf, size_t len, const char *options, ...NULL)
        newFromBuffer = linker.downcallHandle(vips.find("vips_image_new_from_buffer").orElseThrow(),
                FunctionDescriptor.of(a, a, l, a, a), Linker.Option.firstVariadicArg(3));
        width = linker.downcallHandle(vips.find("vips_image_get_width").orElseThrow(), FunctionDescriptor.of(i, a));
        height = linker.downcallHandle(vips.find("vips_image_get_height").orElseThrow(), FunctionDescriptor.of(i, a));
        bands = linker.downcallHandle(vips.find("vips_image_get_bands").orElseThrow(), FunctionDescriptor.of(i, a));
        format = linker.downcallHandle(vips.find("vips_image_get_format").orElseThrow(), FunctionDescriptor.of(i, a));
        // int vips_thumbnail_buffer(void *buf, size_t len, VipsImage **out, int width, "height", int, NULL)
        thumbnailBuffer = linker.downcallHandle(vips.find("vips_thumbnail_buffer").orElseThrow(),
                FunctionDescriptor.of(i, a, l, a, i, a, i, a), Linker.Option.firstVariadicArg(4));
        writeToMemory = linker.downcallHandle(vips.find("vips_image_write_to_memory").orElseThrow(), FunctionDescriptor.of(a, a, a));
        errorBuffer = linker.downcallHandle(vips.find("vips_error_buffer").orElseThrow(), FunctionDescriptor.of(a));
        errorClear = linker.downcallHandle(vips.find("vips_error_clear").orElseThrow(), FunctionDescriptor.ofVoid());
        unref = linker.downcallHandle(gobject.find("g_object_unref").orElseThrow(), FunctionDescriptor.ofVoid(a));
        free = linker.downcallHandle(gobject.find("g_free").orElseThrow(), FunctionDescriptor.ofVoid(a));
        try (Arena arena = Arena.ofConfined()) {
            if ((int) init.invokeExact(arena.allocateFrom("loupe")) != 0) throw new IllegalStateException("vips_init failed");
        }
    }

    private static Optional<Vips> open() {
        if (Boolean.getBoolean("loupe.vips.disable")) return Optional.empty();
        try {
            return Optional.of(new Vips(SymbolLookup.libraryLookup("libvips.so.42", Arena.global()),
                    SymbolLookup.libraryLookup("libgobject-2.0.so.0", Arena.global())));
        } catch (Throwable t) {
            LOG.fine("libvips not found: HEIC/AVIF images cannot be decoded (apt-get install libvips42)");
            return Optional.empty();
        }
    }

    public static Optional<Vips> load() {
        return INSTANCE;
    }

    /** Whether the bytes start like an ISO-BMFF image of the HEIF family (HEIC, AVIF). */
    public static boolean isHeif(byte[] b) {
        if (b.length < 12 || b[4] != 'f' || b[5] != 't' || b[6] != 'y' || b[7] != 'p') return false;
        String brand = new String(b, 8, 4, StandardCharsets.US_ASCII);
        return switch (brand) {
            case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis" -> true;
            default -> false;
        };
    }

    /** Width and height from the header, without decoding pixels. */
    public int[] size(byte[] bytes) throws ImageException {
        return call(arena -> {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            MemorySegment image = (MemorySegment) newFromBuffer.invokeExact(buf, (long) bytes.length, arena.allocateFrom(""), MemorySegment.NULL);
            if (image.equals(MemorySegment.NULL)) throw new ImageException("cannot read HEIF header: " + error());
            try {
                return new int[] {(int) width.invokeExact(image), (int) height.invokeExact(image)};
            } finally {
                unref.invokeExact(image);
            }
        });
    }

    /** Decodes, upright, at the smallest size keeping the aspect ratio that covers {@code minWidth × minHeight}. */
    public BufferedImage decode(byte[] bytes, int fullWidth, int fullHeight, int minWidth, int minHeight) throws ImageException {
        double scale = Math.min(1.0, Math.max(minWidth / (double) fullWidth, minHeight / (double) fullHeight));
        int targetWidth = Math.max(1, (int) Math.ceil(fullWidth * scale));
        return call(arena -> {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = (int) thumbnailBuffer.invokeExact(buf, (long) bytes.length, out, targetWidth,
                    arena.allocateFrom("height"), 10_000_000, MemorySegment.NULL);
            if (rc != 0) throw new ImageException("corrupt image: " + error());
            MemorySegment image = out.get(ValueLayout.ADDRESS, 0);
            try {
                int w = (int) width.invokeExact(image), h = (int) height.invokeExact(image), n = (int) bands.invokeExact(image);
                if ((int) format.invokeExact(image) != VIPS_FORMAT_UCHAR) throw new ImageException("only 8-bit HEIF images are supported");
                MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
                MemorySegment pixels = (MemorySegment) writeToMemory.invokeExact(image, size);
                if (pixels.equals(MemorySegment.NULL)) throw new ImageException("corrupt image: " + error());
                try {
                    return toRgb(pixels.reinterpret(size.get(ValueLayout.JAVA_LONG, 0)), w, h, n);
                } finally {
                    free.invokeExact(pixels);
                }
            } finally {
                unref.invokeExact(image);
            }
        });
    }

    /** One use of native memory that is freed afterwards; native failures become {@link ImageException}s. */
    @FunctionalInterface
    private interface Call<T> {
        T run(Arena arena) throws Throwable;
    }

    private static <T> T call(Call<T> work) throws ImageException {
        try (Arena arena = Arena.ofConfined()) {
            return work.run(arena);
        } catch (ImageException e) {
            throw e;
        } catch (Throwable t) {
            throw new ImageException("libvips failed: " + t.getMessage(), t);
        }
    }

    /** Interleaved 8-bit gray, gray+alpha, RGB or RGBA to RGB, alpha composited onto white. */
    private static BufferedImage toRgb(MemorySegment px, int w, int h, int n) throws ImageException {
        if (n < 1 || n > 4) throw new ImageException("unsupported band count " + n);
        byte[] data = px.toArray(ValueLayout.JAVA_BYTE);
        int[] rgb = new int[w * h];
        boolean alpha = n == 2 || n == 4;
        for (int p = 0; p < rgb.length; p++) {
            int o = p * n;
            int r = data[o] & 0xff, g = n >= 3 ? data[o + 1] & 0xff : r, b = n >= 3 ? data[o + 2] & 0xff : r;
            if (alpha) {
                int a = data[o + n - 1] & 0xff;
                r = (r * a + 255 * (255 - a) + 127) / 255;
                g = (g * a + 255 * (255 - a) + 127) / 255;
                b = (b * a + 255 * (255 - a) + 127) / 255;
            }
            rgb[p] = (r << 16) | (g << 8) | b;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    private String error() throws Throwable {
        MemorySegment s = (MemorySegment) errorBuffer.invokeExact();
        String message = s.reinterpret(4096).getString(0).strip();
        errorClear.invokeExact();
        return message.isEmpty() ? "unknown libvips error" : message;
    }
}
