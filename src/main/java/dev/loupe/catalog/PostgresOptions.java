package dev.loupe.catalog;

import java.net.URI;

/**
 * Where a PostgreSQL catalog is and how to reach it.
 *
 * @param url      {@code postgresql://user@host:port/database} (a {@code jdbc:} prefix is accepted too)
 * @param password the user's password, or null for none (trust or peer authentication)
 * @param poolSize connections this node keeps open
 */
public record PostgresOptions(String url, String password, int poolSize) {
    public static final int DEFAULT_POOL_SIZE = 8;

    public PostgresOptions {
        if (poolSize < 1) throw new IllegalArgumentException("--catalog-pool-size must be at least 1, got: " + poolSize);
        user(url); // refuses a URL that names no user, host or database now rather than at first use
    }

    /** The JDBC URL (without the user, which {@link #user} names). */
    public String jdbcUrl() {
        URI u = uri(url);
        return "jdbc:postgresql://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + u.getRawPath()
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    public String user() {
        return user(url);
    }

    private static String user(String url) {
        URI u = uri(url);
        if (u.getHost() == null || u.getRawPath() == null || u.getRawPath().length() < 2) {
            throw new IllegalArgumentException("--catalog-url needs a host and a database, like postgresql://loupe@127.0.0.1:5432/loupe; got: "
                    + redacted(url));
        }
        String info = u.getUserInfo();
        if (info == null || info.isEmpty()) {
            throw new IllegalArgumentException("--catalog-url names no user, like postgresql://loupe@host/db; got: " + redacted(url));
        }
        if (info.contains(":")) {
            throw new IllegalArgumentException("--catalog-url must not carry a password (use LOUPE_CATALOG_PASSWORD or --catalog-password-file)");
        }
        return info;
    }

    private static URI uri(String url) {
        String s = url.startsWith("jdbc:") ? url.substring(5) : url;
        if (!s.startsWith("postgresql://")) {
            throw new IllegalArgumentException("--catalog-url must start with postgresql://, got: " + redacted(url));
        }
        try {
            return URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--catalog-url is not a URL: " + redacted(url), e);
        }
    }

    /** The URL with anything between "//" and "@" hidden: a password written there by mistake is never printed. */
    static String redacted(String url) {
        return url.replaceFirst("//[^@/]*@", "//***@");
    }

    /** {@link #url} with any credentials in it hidden, to be printed. */
    public String redactedUrl() {
        return redacted(url);
    }

    @Override
    public String toString() {
        return "PostgresOptions[url=" + redacted(url) + ", password=" + (password == null ? "none" : "***") + ", poolSize=" + poolSize + "]";
    }
}
