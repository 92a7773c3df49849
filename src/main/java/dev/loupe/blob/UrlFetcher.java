package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * Downloads blob URLs with the limits a server that fetches user-supplied URLs needs:
 * a byte cap enforced while streaming, a timeout, and, unless configured otherwise,
 * a refusal of hosts that resolve to loopback, private, link-local or other internal
 * addresses (checked again at every redirect, which is followed by hand).
 */
public final class UrlFetcher {
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final boolean allowPrivate;
    private final long maxBytes;

    public UrlFetcher(boolean allowPrivate, long maxBytes) {
        this.allowPrivate = allowPrivate;
        this.maxBytes = maxBytes;
    }

    /** The fetched bytes and the server's content type (may be null). */
    public record Fetched(byte[] bytes, String contentType) {
    }

    public Fetched fetch(URI uri) throws BlobException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkAllowed(current);
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(current).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new BlobException("cannot fetch " + current + ": " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlobException("interrupted while fetching " + current, e);
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400) {
                closeQuietly(response.body());
                String location = response.headers().firstValue("location")
                        .orElseThrow(() -> new BlobException("redirect without Location from " + uri));
                current = current.resolve(location);
                continue;
            }
            if (status != 200) {
                closeQuietly(response.body());
                throw new BlobException("fetching " + current + " answered HTTP " + status);
            }
            long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > maxBytes) {
                closeQuietly(response.body());
                throw new BlobException("blob at " + current + " is " + declared + " bytes, over the " + maxBytes + "-byte limit");
            }
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw new BlobException("blob at " + current + " is over the " + maxBytes + "-byte limit");
                }
                return new Fetched(bytes, response.headers().firstValue("content-type").orElse(null));
            } catch (IOException e) {
                throw new BlobException("reading " + current + " failed: " + describe(e), e);
            }
        }
        throw new BlobException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    private void checkAllowed(URI uri) throws BlobException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BlobException("unsupported URL scheme in " + uri);
        }
        if (allowPrivate) return;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new BlobException("unknown host " + uri.getHost());
        }
        for (InetAddress a : addresses) {
            if (isInternal(a)) {
                throw new BlobException("refusing to fetch " + uri + ": host resolves to internal address "
                        + a.getHostAddress() + " (set --allow-private-urls true to permit)");
            }
        }
    }

    /** Loopback, private, link-local, unique-local, carrier-grade NAT, multicast or unspecified. */
    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()
                || a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) return true; // fc00::/7 unique local
            boolean v4Mapped = true;
            for (int i = 0; i < 10; i++) v4Mapped &= b[i] == 0;
            v4Mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (v4Mapped) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
            return false;
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 || (first == 100 && second >= 64 && second <= 127) || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                || (first == 198 && (second == 18 || second == 19)) || first >= 240;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the response is abandoned either way
        }
    }
}
