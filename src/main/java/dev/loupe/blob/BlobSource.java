package dev.loupe.blob;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Where a blob's bytes come from, as a client wrote it in {@code data}: an http(s)
 * URL fetched at processing time, or bytes inline as a {@code data:} URI or raw base64.
 */
public sealed interface BlobSource {

    record Remote(URI uri) implements BlobSource {
    }

    record Inline(byte[] bytes, String mimeType) implements BlobSource {
    }

    /**
     * Parses a blob's {@code data}. Throws {@link IllegalArgumentException} with a
     * message fit for the client when it is none of the accepted forms.
     */
    static BlobSource parse(String data, long maxBytes) {
        String s = data.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI uri = new URI(s);
                if (uri.getHost() == null) throw new IllegalArgumentException("URL has no host: " + s);
                return new Remote(uri);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid URL: " + e.getMessage());
            }
        }
        if (lower.startsWith("data:")) return dataUri(s, maxBytes);
        int colon = s.indexOf("://");
        if (colon > 0 && colon < 12) {
            throw new IllegalArgumentException("unsupported URL scheme '" + s.substring(0, colon)
                    + "': use http(s), a data: URI or base64");
        }
        checkEncodedSize(s.length(), maxBytes);
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(s);
            if (bytes.length == 0 || !looksLikeBase64(s)) throw new IllegalArgumentException("empty");
            return new Inline(bytes, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be an http(s) URL, a data: URI or base64-encoded bytes");
        }
    }

    private static boolean looksLikeBase64(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
                    || ch == '+' || ch == '/' || ch == '=' || ch == '\n' || ch == '\r';
            if (!ok) return false;
        }
        return true;
    }

    private static Inline dataUri(String s, long maxBytes) {
        int comma = s.indexOf(',');
        if (comma < 0) throw new IllegalArgumentException("data: URI has no comma before its payload");
        String header = s.substring(5, comma);
        String payload = s.substring(comma + 1);
        String mime = header.split(";", 2)[0];
        checkEncodedSize(payload.length(), maxBytes);
        byte[] bytes;
        if (header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            try {
                bytes = Base64.getMimeDecoder().decode(payload);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data: URI payload is not valid base64: " + e.getMessage());
            }
        } else {
            bytes = java.net.URLDecoder.decode(payload, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length == 0) throw new IllegalArgumentException("data: URI payload is empty");
        return new Inline(bytes, mime.isEmpty() ? null : mime);
    }

    private static void checkEncodedSize(long encodedChars, long maxBytes) {
        if (encodedChars / 4 * 3 > maxBytes) {
            throw new Oversized("blob is larger than the " + maxBytes + "-byte limit");
        }
    }

    /** Blob data over the size limit: a payload too large rather than a malformed one. */
    public static final class Oversized extends IllegalArgumentException {
        Oversized(String message) {
            super(message);
        }
    }
}
