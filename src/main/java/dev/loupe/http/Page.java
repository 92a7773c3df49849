package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Offset pagination from {@code ?limit=&offset=&cursor=} (a cursor is an opaque
 * encoding of the next offset), and Mixpeek's {@code pagination} response object.
 */
record Page(int offset, int limit) {
    static final int DEFAULT_LIMIT = 10;
    static final int MAX_LIMIT = 1000;

    static Page from(Context ctx) {
        return from(ctx, dev.loupe.api.Body.of(null));
    }

    /**
     * The page from the query string, or from the body's {@code limit}, {@code offset} and
     * {@code cursor} where the query string names none (some of Mixpeek's list requests carry them there).
     */
    static Page from(Context ctx, dev.loupe.api.Body body) {
        int bodyLimit = body.optionalInt("limit", 0, MAX_LIMIT).orElse(DEFAULT_LIMIT);
        int bodyOffset = body.optionalInt("offset", 0, Integer.MAX_VALUE).orElse(0);
        int limit = intParam(ctx, "limit", bodyLimit, 0, MAX_LIMIT);
        String cursor = ctx.queryParam("cursor");
        if (cursor == null || cursor.isBlank()) cursor = body.optionalString("cursor").orElse(null);
        int offset = cursor != null && !cursor.isBlank() ? offsetOf(cursor, "cursor") : intParam(ctx, "offset", bodyOffset, 0, Integer.MAX_VALUE);
        return new Page(offset, limit);
    }

    private static int intParam(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) return def;
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) throw LoupeException.invalid(name, "must be between " + min + " and " + max + ", got " + i);
            return i;
        } catch (NumberFormatException e) {
            throw LoupeException.invalid(name, "must be an integer, got '" + v + "'");
        }
    }

    static String cursorFor(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.US_ASCII));
    }

    /** The offset a cursor from {@link #cursorFor} stands for; {@code field} names it in errors. */
    static int offsetOf(String cursor, String field) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!s.startsWith("o:")) throw new IllegalArgumentException();
            int offset = Integer.parseInt(s.substring(2));
            if (offset < 0) throw new IllegalArgumentException();
            return offset;
        } catch (IllegalArgumentException e) {
            throw LoupeException.invalid(field, "is not a cursor this server issued");
        }
    }

    ObjectNode response(long total) {
        ObjectNode p = Json.object();
        p.put("total", total);
        int size = Math.max(1, limit);
        p.put("page", offset / size + 1);
        p.put("page_size", limit);
        p.put("total_pages", Math.ceilDiv(total, size));
        long next = (long) offset + limit;
        // The next page's offset must itself be one a cursor can carry, or the listing ends here.
        if (next < total && next <= Integer.MAX_VALUE) p.put("next_cursor", cursorFor((int) next));
        else p.putNull("next_cursor");
        return p;
    }
}
