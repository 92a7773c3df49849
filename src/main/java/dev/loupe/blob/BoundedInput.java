package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A socket's input that enforces the whole fetch's deadline and a minimum transfer rate
 * while it is read, so a server that trickles its headers or body cannot hold the reader:
 * each read waits at most until the current rate window or the deadline ends, and a window
 * that closes with fewer than {@code minBytesPerSecond × window} bytes ends the fetch. The
 * deadline is also enforced from outside (the fetcher closes the socket when it passes),
 * which this stream reports as the deadline rather than as a closed socket.
 */
final class BoundedInput extends BlockInput {
    private final Socket socket;
    private final InputStream in;
    private final long deadlineNanos;
    private final String deadlineText;
    private final long windowNanos;
    private final long bytesPerWindow;
    private final String rateText;
    private long windowStart;
    private long windowBytes;

    BoundedInput(Socket socket, long deadlineNanos, UrlFetcher.Options options) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.deadlineNanos = deadlineNanos;
        this.deadlineText = "the " + options.totalTimeout().toMillis() + " ms total time limit";
        this.windowNanos = options.rateWindow().toNanos();
        this.bytesPerWindow = (long) Math.ceil(options.minBytesPerSecond() * (windowNanos / 1e9));
        this.rateText = "the minimum transfer rate of " + options.minBytesPerSecond() + " bytes/s over "
                + options.rateWindow().toMillis() + " ms";
        this.windowStart = System.nanoTime();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) return 0;
        while (true) {
            long now = System.nanoTime();
            check(now);
            long until = deadlineNanos;
            if (bytesPerWindow > 0) until = Math.min(until, windowStart + windowNanos);
            socket.setSoTimeout((int) Math.clamp((until - now + 999_999) / 1_000_000, 1, Integer.MAX_VALUE));
            int n;
            try {
                n = in.read(buffer, offset, length);
            } catch (SocketTimeoutException e) {
                continue; // the loop's check decides which bound, if any, has run out
            } catch (IOException e) {
                if (System.nanoTime() - deadlineNanos >= 0) throw new FetchLimitException("exceeded " + deadlineText);
                throw e;
            }
            if (n > 0) windowBytes += n;
            check(System.nanoTime());
            return n;
        }
    }

    private void check(long now) throws FetchLimitException {
        if (now - deadlineNanos >= 0) throw new FetchLimitException("exceeded " + deadlineText);
        if (bytesPerWindow > 0 && now - windowStart >= windowNanos) {
            if (windowBytes < bytesPerWindow) {
                throw new FetchLimitException("fell below " + rateText + " (" + windowBytes + " bytes in the last window)");
            }
            windowStart = now;
            windowBytes = 0;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
