package dev.loupe.index.solr;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.common.SolrException;

/**
 * Which failures of a Solr request another attempt can cure, and how long to wait before it: the
 * one place {@link SolrDocumentIndex} decides this. Every request it sends may be repeated
 * (writes are by document id or by query, and a write carries its own commit), so the question is
 * only whether repeating can help.
 *
 * <p>Retriable: a node that could not be reached or did not answer (SolrJ's
 * {@link SolrServerException}, any {@link IOException}); 503 and 510 (a shard without a leader
 * while one is elected, a node whose view of the cluster is stale); and any other status whose
 * message, or a cause's, says the cluster is between states: the answering node forwarded to a
 * leader or follower that has died ("Async exception during distributed update: ... Connection
 * refused", a 500), ZooKeeper has not yet noticed a death or a node lost its session ("No
 * registered leader", "Cannot talk to ZooKeeper"), or a core is closing with its node. The status
 * alone does not tell: a forward's failure comes back as 500, like a bug would.
 *
 * <p>Not retriable: 409 (a version conflict, which {@code updateFields} handles by reading again)
 * and every other refusal, such as a malformed query or a schema error, which would fail the same
 * way on every attempt.
 */
final class SolrRetry {
    /** The first pause, doubled after each failure up to {@link #MAX_PAUSE}. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(50);
    static final Duration MAX_PAUSE = Duration.ofSeconds(2);

    /**
     * Lower-case fragments of the messages Solr 9 gives while a node dies, restarts or a leadership
     * moves: those {@code SolrWritesDuringNodeLossTest} meets (connection refused, reset, closed
     * channel, EOF), and those Solr's update and search paths raise while a shard has no leader.
     */
    private static final List<String> TRANSIENT = List.of(
            // a node forwarding to a dead leader or follower ("Async exception during distributed update: ..."),
            // or the client's own connection to a node that died
            "connection refused", "connection reset", "broken pipe", "closedchannelexception", "eof reached", "eofexception",
            "connect timed out", "read timed out", "idle timeout",
            // a node proxying a request (a schema read) to the node holding the collection's core, which died
            "error trying to proxy request",
            // Jetty's 404 page from a node whose view of the cluster does not yet hold a collection just created
            // (writes create theirs first, and reads ask whether it exists, so a missing core here is a stale view)
            "can not find: /solr/",
            // a leadership moving, ZooKeeper not yet told of a death, a node that lost its session
            "no registered leader", "cannot talk to zookeeper", "keepererrorcode = connectionloss", "keepererrorcode = session expired",
            "no servers hosting shard", "no live solrservers",
            // a core closing while its node stops
            "core is shutting down", "already closed",
            // a collection created from a configset that another node is still copying: Solr removes
            // the failed collection, and the same request succeeds once the copy is complete
            "underlying core creation failed");
    /** A URL in a message: SolrJ puts the request's ({@code Error from server at <url>: ...}), which holds a collection's name. */
    private static final Pattern URL = Pattern.compile("https?://\\S*");

    private SolrRetry() {
    }

    /** Whether sending the same request again, to this node or another, may succeed. */
    static boolean retriable(Throwable failure) {
        return switch (failure) {
            case SolrServerException e -> true;
            case IOException e -> true;
            case SolrException e -> e.code() == 503 || e.code() == 510 || (e.code() != 409 && saysTransient(e));
            default -> false;
        };
    }

    /** Whether the message of {@code failure} or of one of its causes names a passing state of the cluster. */
    private static boolean saysTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = URL.matcher(String.valueOf(t.getMessage())).replaceAll("").toLowerCase(Locale.ROOT);
            for (String fragment : TRANSIENT) if (m.contains(fragment)) return true;
            if (t instanceof IOException) return true;
        }
        return false;
    }

    /**
     * How long to wait after the {@code failures}-th failure in a row (from 1): doubling from
     * {@link #FIRST_PAUSE} to {@link #MAX_PAUSE}, with jitter so that several writers do not retry in
     * step, and never past {@code left}, the time until the caller gives up.
     */
    static Duration pause(int failures, Duration left) {
        if (failures < 1) throw new IllegalArgumentException("a pause follows a failure, got " + failures);
        long full = Math.min(MAX_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << Math.min(failures - 1, 10));
        long jittered = full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
        return Duration.ofMillis(Math.max(0, Math.min(jittered, left.toMillis())));
    }
}
