package dev.loupe.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * JPEG decoding through libjpeg-turbo's TurboJPEG API (Debian's {@code libturbojpeg0}),
 * called with the FFM API. Its point is DCT-domain scaling: a 4000×3000 JPEG needed at
 * 640 px wide is decoded at 1/4 scale, skipping most of the inverse DCT, as libvips does.
 *
 * <p>An accelerator only: {@link #load} is empty when the library is absent, and callers
 * fall back to ImageIO. Decoding stops on libjpeg warnings, so a truncated file fails
 * instead of coming back half grey.
 */
public final class TurboJpeg {
    private static final Logger LOG = Logger.getLogger(TurboJpeg.class.getName());
    private static final int TJPF_BGRX = 3;          // bytes B,G,R,X = a little-endian int 0xXXRRGGBB
    private static final int TJFLAG_STOPONWARNING = 8192;
    private static final int TJSAMP_420 = 2;         // ImageIO's default chroma subsampling too
    private static final Optional<TurboJpeg> INSTANCE = open();

    private final MethodHandle init;
    private final MethodHandle header;
    private final MethodHandle decompress;
    private final MethodHandle destroy;
    private final MethodHandle errorString;
    private final MethodHandle initCompress;
    private final MethodHandle compress;
    private final MethodHandle free;

    private TurboJpeg(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        var a = ValueLayout.ADDRESS;
        init = linker.downcallHandle(lib.find("tjInitDecompress").orElseThrow(), FunctionDescriptor.of(a));
        header = linker.downcallHandle(lib.find("tjDecompressHeader3").orElseThrow(),
                FunctionDescriptor.of(i, a, a, ValueLayout.JAVA_LONG, a, a, a, a));
        decompress = linker.downcallHandle(lib.find("tjDecompress2").orElseThrow(),
                FunctionDescriptor.of(i, a, a, ValueLayout.JAVA_LONG, a, i, i, i, i, i));
        destroy = linker.downcallHandle(lib.find("tjDestroy").orElseThrow(), FunctionDescriptor.of(i, a));
        errorString = linker.downcallHandle(lib.find("tjGetErrorStr2").orElseThrow(), FunctionDescriptor.of(a, a));
        initCompress = linker.downcallHandle(lib.find("tjInitCompress").orElseThrow(), FunctionDescriptor.of(a));
        // tjCompress2(handle, src, width, pitch, height, pixelFormat, &jpegBuf, &jpegSize (unsigned long), subsamp, quality, flags)
        compress = linker.downcallHandle(lib.find("tjCompress2").orElseThrow(),
                FunctionDescriptor.of(i, a, a, i, i, i, i, a, a, i, i, i));
        free = linker.downcallHandle(lib.find("tjFree").orElseThrow(), FunctionDescriptor.ofVoid(a));
    }

    private static Optional<TurboJpeg> open() {
        if (Boolean.getBoolean("loupe.turbojpeg.disable")) return Optional.empty();
        for (String name : new String[] {"libturbojpeg.so.0", "libturbojpeg.so"}) {
            try {
                return Optional.of(new TurboJpeg(SymbolLookup.libraryLookup(name, Arena.global())));
            } catch (IllegalArgumentException | java.util.NoSuchElementException | IllegalCallerException e) {
                // try the next name; absent everywhere means ImageIO decodes JPEGs
            }
        }
        LOG.fine("libturbojpeg not found: JPEGs decode with ImageIO (apt-get install libturbojpeg0 for DCT-scaled decoding)");
        return Optional.empty();
    }

    /** The shared binding, when the library is installed and native access is enabled. */
    public static Optional<TurboJpeg> load() {
        return INSTANCE;
    }

    /** Width, height and libjpeg colour space of a JPEG, read from its header. */
    public record Header(int width, int height, int colorspace) {
    }

    public Header header(byte[] jpeg) throws ImageException {
        return call((handle, arena) -> {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, jpeg);
            MemorySegment w = arena.allocate(ValueLayout.JAVA_INT), h = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment sub = arena.allocate(ValueLayout.JAVA_INT), cs = arena.allocate(ValueLayout.JAVA_INT);
            int rc = (int) header.invokeExact(handle, src, (long) jpeg.length, w, h, sub, cs);
            if (rc != 0) throw new ImageException("corrupt JPEG header: " + error(handle));
            return new Header(w.get(ValueLayout.JAVA_INT, 0), h.get(ValueLayout.JAVA_INT, 0), cs.get(ValueLayout.JAVA_INT, 0));
        });
    }

    /**
     * Decodes at the smallest of libjpeg's scales (n/8) that keeps at least
     * {@code minWidth × minHeight}, or full size when the image is smaller.
     */
    public BufferedImage decode(byte[] jpeg, Header hdr, int minWidth, int minHeight) throws ImageException {
        int eighths = 8;
        while (eighths > 1 && scaled(hdr.width(), eighths - 1) >= minWidth && scaled(hdr.height(), eighths - 1) >= minHeight) eighths--;
        int w = scaled(hdr.width(), eighths), h = scaled(hdr.height(), eighths);
        return call((handle, arena) -> {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, jpeg);
            MemorySegment dst = arena.allocate((long) w * h * 4, 4);
            int rc = (int) decompress.invokeExact(handle, src, (long) jpeg.length, dst, w, w * 4, h, TJPF_BGRX, TJFLAG_STOPONWARNING);
            if (rc != 0) throw new ImageException("corrupt image: " + error(handle));
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int[] pixels = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
            MemorySegment.copy(dst, ValueLayout.JAVA_INT, 0, pixels, 0, pixels.length);
            return out;
        });
    }

    /**
     * Encodes a {@code TYPE_INT_RGB} image (any other type is converted first) as a baseline
     * JPEG, 4:2:0 like ImageIO's default, at {@code quality} 1..100. Several times faster than
     * ImageIO's Java encoder, which costs more than the resize before it.
     */
    public byte[] encode(BufferedImage image, int quality) throws ImageException {
        if (quality < 1 || quality > 100) throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        int w = image.getWidth(), h = image.getHeight();
        int[] pixels = Resampler.rgb(image);
        return call(initCompress, (handle, arena) -> {
            MemorySegment src = arena.allocate((long) w * h * 4, 4);
            MemorySegment.copy(pixels, 0, src, ValueLayout.JAVA_INT, 0, w * h);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS), size = arena.allocate(ValueLayout.JAVA_LONG);
            out.set(ValueLayout.ADDRESS, 0, MemorySegment.NULL); // null: libjpeg-turbo allocates the output
            int rc = (int) compress.invokeExact(handle, src, w, w * 4, h, TJPF_BGRX, out, size, TJSAMP_420, quality, 0);
            MemorySegment jpeg = out.get(ValueLayout.ADDRESS, 0);
            try {
                if (rc != 0) throw new ImageException("JPEG encoding failed: " + error(handle));
                return jpeg.reinterpret(size.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                if (!jpeg.equals(MemorySegment.NULL)) free.invokeExact(jpeg);
            }
        });
    }

    /** One use of a TurboJPEG handle and of native memory freed with it. */
    @FunctionalInterface
    private interface Call<T> {
        T run(MemorySegment handle, Arena arena) throws Throwable;
    }

    private <T> T call(Call<T> work) throws ImageException {
        return call(init, work);
    }

    private <T> T call(MethodHandle initHandle, Call<T> work) throws ImageException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) initHandle.invokeExact();
            try {
                return work.run(handle, arena);
            } finally {
                int ignored = (int) destroy.invokeExact(handle);
            }
        } catch (ImageException e) {
            throw e;
        } catch (Throwable t) {
            throw new ImageException("libturbojpeg failed: " + t.getMessage(), t);
        }
    }

    /** TJSCALED: a dimension at scale {@code eighths}/8, rounded up. */
    private static int scaled(int dim, int eighths) {
        return (dim * eighths + 7) / 8;
    }

    private String error(MemorySegment handle) throws Throwable {
        MemorySegment s = (MemorySegment) errorString.invokeExact(handle);
        return s.reinterpret(1024).getString(0);
    }
}
