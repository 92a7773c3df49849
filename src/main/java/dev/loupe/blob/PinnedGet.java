package dev.loupe.blob;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 GET sent to an address chosen (and checked) by the caller, never to one the
 * name resolves to later: {@code java.net.http} resolves the host again when it connects,
 * which lets a name rebind to an internal address between the check and the connection.
 * The request carries the URL's host in {@code Host}; for https the TLS handshake sends it
 * as SNI and verifies the certificate against it. {@code Connection: close} and identity
 * encoding keep the protocol to what this class reads: a status line, headers, and a body
 * delimited by Content-Length, chunked encoding or the end of the connection.
 */
final class PinnedGet implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_HEADERS = 200;

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final InputStream body;

    private PinnedGet(Socket socket, int status, Map<String, String> headers, InputStream body) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * Connects to the first of {@code addresses} that accepts (all of them checked by the
     * caller), sends the GET for {@code uri} and reads the response head.
     */
    static PinnedGet send(URI uri, List<InetAddress> addresses, UrlFetcher.Connector connector, SSLSocketFactory tlsFactory,
                          Consumer<Socket> guard, long deadlineNanos, UrlFetcher.Options options) throws IOException {
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        Socket socket = connect(addresses, port, connector, deadlineNanos, options);
        guard.accept(socket);
        try {
            socket.setSoTimeout(millisLeft(deadlineNanos, options)); // until BoundedInput takes over (TLS handshake)
            String host = hostName(uri);
            if (https) {
                SSLSocket tls = (SSLSocket) tlsFactory.createSocket(socket, host, port, true);
                socket = tls; // the guard keeps the plain socket: closing it cannot block on a TLS close_notify
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
                if (!isLiteral(uri.getHost())) parameters.setServerNames(List.of(new SNIHostName(host)));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
            }
            OutputStream out = socket.getOutputStream();
            out.write(request(uri, https).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(new BoundedInput(socket, deadlineNanos, options), 16 * 1024);
            int[] headBytes = {0};
            int status;
            Map<String, String> headers;
            do { // 1xx answers (e.g. 103 Early Hints) precede the real one
                status = statusLine(readLine(in, headBytes), uri);
                headers = readHeaders(in, headBytes);
            } while (status >= 100 && status < 200);
            return new PinnedGet(socket, status, headers, body(in, headers, uri));
        } catch (IOException | RuntimeException e) {
            socket.close(); // closing a layered TLS socket closes the one beneath
            throw e;
        }
    }

    private static Socket connect(List<InetAddress> addresses, int port, UrlFetcher.Connector connector, long deadlineNanos,
                                  UrlFetcher.Options options) throws IOException {
        IOException failure = new IOException("no time left to connect");
        boolean first = true;
        for (InetAddress address : addresses) {
            if (deadlineNanos - System.nanoTime() <= 0) break;
            try {
                return connector.connect(new InetSocketAddress(address, port), millisLeft(deadlineNanos, options));
            } catch (IOException e) {
                if (first) failure = e;
                else failure.addSuppressed(e);
                first = false;
            }
        }
        throw failure;
    }

    /** The connect timeout, cut to what is left of the fetch's deadline. */
    private static int millisLeft(long deadlineNanos, UrlFetcher.Options options) {
        long nanos = Math.min(options.connectTimeout().toNanos(), deadlineNanos - System.nanoTime());
        return (int) Math.clamp(nanos / 1_000_000, 1, Integer.MAX_VALUE);
    }

    int status() {
        return status;
    }

    /** The first value of a header, by its lower-case name, or null. */
    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    InputStream body() {
        return body;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String hostName(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isLiteral(String host) {
        return host.startsWith("[") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static String request(URI uri, boolean https) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
        int defaultPort = https ? 443 : 80;
        String host = uri.getHost() + (uri.getPort() >= 0 && uri.getPort() != defaultPort ? ":" + uri.getPort() : "");
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Loupe\r\nAccept: */*\r\n"
                + "Accept-Encoding: identity\r\nConnection: close\r\n\r\n";
    }

    private static int statusLine(String line, URI uri) throws IOException {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3 || !parts[1].chars().allMatch(Character::isDigit)) {
            throw new IOException("not an HTTP/1.x response from " + uri.getHost() + ": " + abbreviate(line));
        }
        return Integer.parseInt(parts[1]);
    }

    private static Map<String, String> readHeaders(InputStream in, int[] headBytes) throws IOException {
        Map<String, String> headers = new HashMap<>();
        for (int count = 0; ; count++) {
            String line = readLine(in, headBytes);
            if (line.isEmpty()) return headers;
            if (count >= MAX_HEADERS) throw new IOException("response has more than " + MAX_HEADERS + " headers");
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IOException("malformed response header: " + abbreviate(line));
            headers.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
    }

    private static InputStream body(InputStream in, Map<String, String> headers, URI uri) throws IOException {
        String encoding = headers.get("transfer-encoding");
        if (encoding != null) {
            if (!encoding.toLowerCase(Locale.ROOT).equals("chunked")) {
                throw new IOException("unsupported Transfer-Encoding '" + abbreviate(encoding) + "' from " + uri.getHost());
            }
            return new Chunked(in);
        }
        String length = headers.get("content-length");
        if (length == null) return in;
        try {
            long declared = Long.parseLong(length);
            if (declared < 0) throw new NumberFormatException();
            return new Limited(in, declared);
        } catch (NumberFormatException e) {
            throw new IOException("invalid Content-Length '" + abbreviate(length) + "' from " + uri.getHost());
        }
    }

    /** A CRLF- (or LF-) terminated line; the whole head is bounded so headers cannot grow without end. */
    static String readLine(InputStream in, int[] budget) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed inside the response head");
            if (++budget[0] > MAX_HEAD_BYTES) throw new IOException("response head is over " + MAX_HEAD_BYTES + " bytes");
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
                return line.toString();
            }
            line.append((char) b);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /** A body of a declared length: ending early is an error, not a shorter blob. */
    private static final class Limited extends BlockInput {
        private final InputStream in;
        private long left;

        Limited(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new EOFException("connection closed with " + left + " bytes of the declared length still to come");
            left -= n;
            return n;
        }
    }

    /** Chunked transfer coding (RFC 9112 §7.1); chunk extensions and trailers are read and ignored. */
    private static final class Chunked extends BlockInput {
        private final InputStream in;
        private long left;
        private boolean done;
        private final int[] lineBudget = {0};

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) return -1;
            if (left == 0) {
                lineBudget[0] = 0;
                String size = readLine(in, lineBudget);
                int semicolon = size.indexOf(';');
                String hex = (semicolon >= 0 ? size.substring(0, semicolon) : size).strip();
                try {
                    left = Long.parseLong(hex, 16);
                    if (left < 0 || hex.length() > 15) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    throw new IOException("invalid chunk size '" + abbreviate(size) + "'");
                }
                if (left == 0) {
                    while (!readLine(in, lineBudget).isEmpty()) {
                        // trailers carry nothing a blob needs
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new EOFException("connection closed inside a chunk");
            left -= n;
            if (left == 0 && !readLine(in, lineBudget).isEmpty()) throw new IOException("chunk not followed by CRLF");
            return n;
        }
    }
}
