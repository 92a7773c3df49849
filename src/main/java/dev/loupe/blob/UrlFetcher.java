package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Downloads blob URLs with the limits a server that fetches user-supplied URLs needs:
 * a byte cap enforced while streaming; one deadline for the whole fetch, redirects, TLS
 * and body included, and a minimum transfer rate, so a server that trickles bytes cannot
 * hold an ingestion worker or a query; and, unless configured otherwise, a refusal of hosts
 * that resolve to an internal address ({@link InternalAddresses}). The name is resolved once
 * per hop and the connection goes to the address that was checked (see {@link PinnedGet});
 * redirects are followed by hand and each target is checked the same way.
 */
public final class UrlFetcher {
    /**
     * Bounds of one fetch.
     *
     * @param allowPrivate      whether internal addresses may be fetched (tests, private deployments)
     * @param maxBytes          the largest body accepted
     * @param connectTimeout    the longest wait for one TCP connection
     * @param totalTimeout      the whole fetch, from the first connection to the last body byte
     * @param minBytesPerSecond the slowest transfer tolerated, judged over each {@code rateWindow}; 0 turns it off
     * @param rateWindow        how long a transfer may stay under {@code minBytesPerSecond} before it is ended
     * @param maxRedirects      how many redirects are followed
     */
    public record Options(boolean allowPrivate, long maxBytes, Duration connectTimeout, Duration totalTimeout,
                          long minBytesPerSecond, Duration rateWindow, int maxRedirects) {
        public Options {
            if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
            positive("connectTimeout", connectTimeout);
            positive("totalTimeout", totalTimeout);
            positive("rateWindow", rateWindow);
            if (minBytesPerSecond < 0) throw new IllegalArgumentException("minBytesPerSecond must be 0 or more, got " + minBytesPerSecond);
            if (maxRedirects < 0) throw new IllegalArgumentException("maxRedirects must be 0 or more, got " + maxRedirects);
        }

        /** 10 s to connect, 60 s for everything, at least 4 KiB/s over any 10 s, 5 redirects. */
        public static Options defaults(boolean allowPrivate, long maxBytes) {
            return new Options(allowPrivate, maxBytes, Duration.ofSeconds(10), Duration.ofSeconds(60), 4096, Duration.ofSeconds(10), 5);
        }

        public Options withTotalTimeout(Duration total) {
            return new Options(allowPrivate, maxBytes, connectTimeout, total, minBytesPerSecond, rateWindow, maxRedirects);
        }

        public Options withMinimumRate(long bytesPerSecond, Duration window) {
            return new Options(allowPrivate, maxBytes, connectTimeout, totalTimeout, bytesPerSecond, window, maxRedirects);
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** Turns a host name into addresses; replaceable so tests decide what a name resolves to. */
    @FunctionalInterface
    public interface Resolver {
        Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** Opens a TCP connection to an address; replaceable so tests can see, and keep on loopback, every connection. */
    @FunctionalInterface
    public interface Connector {
        Connector PLAIN = (address, timeoutMillis) -> {
            Socket socket = new Socket();
            try {
                socket.connect(address, timeoutMillis);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        };

        Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException;
    }

    /** The fetched bytes and the server's content type (may be null). */
    public record Fetched(byte[] bytes, String contentType) {
    }

    private final Options options;
    private final Resolver resolver;
    private final Connector connector;
    private final SSLSocketFactory tls;
    // closes a fetch's socket when its deadline passes: bounds what a socket timeout cannot (a TLS handshake fed byte by byte)
    private final ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("loupe-fetch-deadline").factory());

    public UrlFetcher(boolean allowPrivate, long maxBytes) {
        this(Options.defaults(allowPrivate, maxBytes));
    }

    public UrlFetcher(Options options) {
        this(options, Resolver.SYSTEM, Connector.PLAIN);
    }

    public UrlFetcher(Options options, Resolver resolver, Connector connector) {
        this(options, resolver, connector, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** {@code tls} decides which certificates are trusted; the host name is verified whatever it trusts. */
    public UrlFetcher(Options options, Resolver resolver, Connector connector, SSLSocketFactory tls) {
        this.options = options;
        this.tls = tls;
        this.resolver = resolver;
        this.connector = connector;
        watchdog.setRemoveOnCancelPolicy(true); // a fetch that ends early leaves no task behind
        watchdog.setKeepAliveTime(30, TimeUnit.SECONDS);
        watchdog.allowCoreThreadTimeOut(true); // no thread kept while nothing is fetched
    }

    public Options options() {
        return options;
    }

    public Fetched fetch(URI uri) throws BlobException {
        long deadline = System.nanoTime() + options.totalTimeout().toNanos();
        Guard guard = new Guard();
        ScheduledFuture<?> alarm = watchdog.schedule(guard::expire, options.totalTimeout().toNanos(), TimeUnit.NANOSECONDS);
        try {
            return fetch(uri, deadline, guard);
        } finally {
            alarm.cancel(false);
            guard.closeSocket();
        }
    }

    private Fetched fetch(URI uri, long deadline, Guard guard) throws BlobException {
        URI current = uri;
        for (int hop = 0; hop <= options.maxRedirects(); hop++) {
            List<InetAddress> addresses = checkedAddresses(current, deadline);
            try (PinnedGet response = PinnedGet.send(current, addresses, connector, tls, guard::watch, deadline, options)) {
                int status = response.status();
                if (status >= 300 && status < 400 && status != 304) {
                    String location = response.header("location");
                    if (location == null) throw new BlobException("redirect without Location from " + current);
                    try {
                        current = current.resolve(location);
                    } catch (IllegalArgumentException e) {
                        throw new BlobException("redirect from " + current + " to an invalid URL: " + e.getMessage());
                    }
                    continue;
                }
                if (status != 200) throw new BlobException("fetching " + current + " answered HTTP " + status);
                String length = response.header("content-length");
                if (length != null && response.header("transfer-encoding") == null && Long.parseLong(length) > options.maxBytes()) {
                    throw new BlobException("blob at " + current + " is " + length + " bytes, over the " + options.maxBytes() + "-byte limit");
                }
                byte[] bytes = response.body().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBytes() + 1));
                if (bytes.length > options.maxBytes()) {
                    throw new BlobException("blob at " + current + " is over the " + options.maxBytes() + "-byte limit");
                }
                return new Fetched(bytes, response.header("content-type"));
            } catch (FetchLimitException e) {
                throw new BlobException("fetching " + current + " " + e.getMessage(), e);
            } catch (IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new BlobException("fetching " + current + " exceeded the " + options.totalTimeout().toMillis()
                            + " ms total time limit", e);
                }
                throw new BlobException("cannot fetch " + current + ": " + describe(e), e);
            }
        }
        throw new BlobException("more than " + options.maxRedirects() + " redirects from " + uri);
    }

    /** Resolves the URL's host once, within the deadline, and returns the addresses to connect to, refusing internal ones unless allowed. */
    private List<InetAddress> checkedAddresses(URI uri, long deadline) throws BlobException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BlobException("unsupported URL scheme in " + uri);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) throw new BlobException("URL has no host: " + uri);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        List<InetAddress> addresses = resolve(uri, host, deadline);
        if (addresses.isEmpty()) throw new BlobException("unknown host " + host);
        if (!options.allowPrivate()) {
            // every address is checked, not only the one used: a name with any internal address is refused
            for (InetAddress a : addresses) {
                if (InternalAddresses.isInternal(a)) {
                    throw new BlobException("refusing to fetch " + uri + ": host resolves to internal address "
                            + a.getHostAddress() + " (set --allow-private-urls true to permit)");
                }
            }
        }
        return addresses;
    }

    /**
     * The system resolver has no timeout of its own, so the lookup runs on a virtual thread
     * that the fetch stops waiting for (and interrupts) when the deadline passes.
     */
    private List<InetAddress> resolve(URI uri, String host, long deadline) throws BlobException {
        FutureTask<List<InetAddress>> lookup = new FutureTask<>(() -> resolver.resolve(host));
        Thread.ofVirtual().name("loupe-resolve").start(lookup);
        try {
            List<InetAddress> addresses = lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return addresses == null ? List.of() : addresses;
        } catch (TimeoutException e) {
            lookup.cancel(true);
            throw new BlobException("fetching " + uri + " exceeded the " + options.totalTimeout().toMillis()
                    + " ms total time limit while resolving " + host);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException) throw new BlobException("unknown host " + host);
            throw new BlobException("cannot resolve " + host + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            lookup.cancel(true);
            Thread.currentThread().interrupt();
            throw new BlobException("interrupted while resolving " + host, e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The socket a fetch has open, closed by the watchdog when the deadline passes. */
    private static final class Guard {
        private Socket socket;
        private boolean expired;

        synchronized void watch(Socket s) {
            socket = s;
            if (expired) closeSocket();
        }

        synchronized void expire() {
            expired = true;
            closeSocket();
        }

        synchronized void closeSocket() {
            if (socket == null) return;
            try {
                socket.close();
            } catch (IOException ignored) {
                // the fetch is over either way
            }
        }
    }
}
