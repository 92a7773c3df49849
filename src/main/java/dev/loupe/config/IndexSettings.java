package dev.loupe.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Where the documents live: the embedded Lucene index under the data directory, or a SolrCloud
 * cluster reached over HTTP.
 *
 * @param engine   {@code lucene} (the default) or {@code solr}
 * @param solrUrls with Solr, base URLs of its nodes ({@code http://host:8983/solr}); any node serves any collection,
 *                 the others are tried when one is down
 * @param shards   with Solr, shards of each new collection
 * @param replicas with Solr, replicas of each shard: 2 or more survive a node's loss
 */
public record IndexSettings(Engine engine, List<String> solrUrls, int shards, int replicas) {
    public static final IndexSettings EMBEDDED = new IndexSettings(Engine.LUCENE, List.of(), 2, 2);

    public enum Engine {
        LUCENE, SOLR
    }

    public IndexSettings {
        solrUrls = List.copyOf(solrUrls);
        if (shards < 1 || replicas < 1) {
            throw new IllegalArgumentException("--solr-shards and --solr-replicas must be at least 1, got: " + shards + " and " + replicas);
        }
        if (engine == Engine.SOLR && solrUrls.isEmpty()) {
            throw new IllegalArgumentException("--index solr needs --solr-url (LOUPE_SOLR_URL): the base URLs of Solr nodes, "
                    + "comma-separated, e.g. http://solr1:8983/solr,http://solr2:8983/solr");
        }
        for (String u : solrUrls) {
            if (!u.startsWith("http://") && !u.startsWith("https://")) throw new IllegalArgumentException("--solr-url must list http(s) URLs, got: " + u);
        }
    }

    /** From the flags' values as {@code given} returns them (null when unset). */
    static IndexSettings from(Function<String, String> given) {
        String engine = given.apply("index");
        Engine e = switch (engine == null ? "lucene" : engine.strip().toLowerCase(Locale.ROOT)) {
            case "lucene" -> Engine.LUCENE;
            case "solr" -> Engine.SOLR;
            default -> throw new IllegalArgumentException("--index (LOUPE_INDEX) must be lucene or solr, got: " + engine);
        };
        String urls = given.apply("solr-url");
        List<String> list = urls == null ? List.of() : Arrays.stream(urls.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        return new IndexSettings(e, list, number(given, "solr-shards", 2), number(given, "solr-replicas", 2));
    }

    private static int number(Function<String, String> given, String flag, int fallback) {
        String v = given.apply(flag);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " must be a whole number, got: " + v);
        }
    }
}
