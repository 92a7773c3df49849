package dev.loupe.index.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.filter.FilterNode;
import dev.loupe.testing.engines.EngineProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.BaseHttpSolrClient.RemoteExecutionException;
import org.apache.solr.client.solrj.impl.BaseHttpSolrClient.RemoteSolrException;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.util.NamedList;
import org.junit.jupiter.api.Test;

/**
 * The failures a Solr request meets while a node dies or a leadership moves are retried, and the
 * refusals that would come back the same on every attempt are not. The messages are those Solr 9
 * gave in {@code SolrWritesDuringNodeLossTest}, in the exception types SolrJ wraps them in.
 */
class SolrRetryTest {
    private static final String NODE = "http://127.0.0.1:45941/solr/loupe_c1";

    private static RemoteSolrException remote(int code, String message) {
        return new RemoteSolrException(NODE, code, message, null);
    }

    @Test
    void aNodeThatCannotBeReachedOrStopsMidAnswerIsRetried() {
        assertTrue(SolrRetry.retriable(new ConnectException()));
        assertTrue(SolrRetry.retriable(new IOException("EOF reached while reading")));
        assertTrue(SolrRetry.retriable(new HttpTimeoutException("request timed out")));
        assertTrue(SolrRetry.retriable(new SolrServerException("IOException occurred when talking to server", new ConnectException())));
    }

    @Test
    void aLiveNodeForwardingToADeadLeaderOrFollowerIsRetriedThoughItAnswers500() {
        assertTrue(SolrRetry.retriable(remote(500, "Async exception during distributed update: java.net.ConnectException: Connection refused")));
        assertTrue(SolrRetry.retriable(remote(500, "Async exceptions during distributed update: \njava.net.ConnectException: Connection refused\n"
                + "java.net.ConnectException: Connection refused")));
        assertTrue(SolrRetry.retriable(remote(500, "Async exception during distributed update: java.nio.channels.ClosedChannelException")));
    }

    @Test
    void aLiveNodeProxyingARequestToADeadNodeIsRetried() {
        // Seen by NodeLossDuringBatchTest: a schema request for a collection whose core the answering node does not hold.
        assertTrue(SolrRetry.retriable(remote(500, "Error trying to proxy request for url: http://127.0.0.1:35443/solr/loupe_c1/schema/fields/"
                + "v.image_extractor_v1_embedding with _forwardCount: 1")));
        // Also seen there: right after a collection was created, a node that does not know it yet answers Jetty's 404 page.
        assertTrue(SolrRetry.retriable(remote(404, "Expected mime type in [application/vnd.apache.solr.javabin, application/octet-stream] but got"
                + " text/html. <html><head><title>Error 404 Can not find: /solr/loupe_c1/schema</title></head></html>")));
    }

    @Test
    void aCollectionCreatedFromAConfigsetStillBeingCopiedIsCreatedAgain() {
        // Seen by NodeLossDuringBatchTest when two nodes made a new collection's configset at once.
        assertTrue(SolrRetry.retriable(remote(400, "Underlying core creation failed while creating collection: loupe_col_1")));
    }

    @Test
    void aShardWithoutALeaderOrANodeOutOfTouchWithZooKeeperIsRetried() {
        assertTrue(SolrRetry.retriable(remote(503, "No registered leader was found after waiting for 4000ms , collection: loupe_c1 slice: shard1")));
        assertTrue(SolrRetry.retriable(remote(510, "Stale state")));
        assertTrue(SolrRetry.retriable(remote(500, "Cannot talk to ZooKeeper - Updates are disabled.")));
        assertTrue(SolrRetry.retriable(remote(500, "KeeperErrorCode = ConnectionLoss for /collections/loupe_c1/state.json")));
        assertTrue(SolrRetry.retriable(new RemoteExecutionException(NODE, 500, "no servers hosting shard: shard2", new NamedList<>())));
    }

    @Test
    void aRefusalThatEveryAttemptWouldMeetIsNotRetried() {
        assertFalse(SolrRetry.retriable(remote(400, "undefined field s.brand")));
        assertFalse(SolrRetry.retriable(remote(404, "No such field [v.emb]")), "a lookup that finds nothing is an answer");
        assertFalse(SolrRetry.retriable(remote(409, "version conflict for doc_1 expected=1 actual=2")),
                "a version conflict is read again by updateFields, not resent");
        assertFalse(SolrRetry.retriable(remote(400, "Async exception during distributed update: Error from server at "
                + NODE + "_shard1_replica_n1: ERROR: [doc=d1] unknown field 'x'")), "the leader's refusal, forwarded");
        assertFalse(SolrRetry.retriable(new SolrException(SolrException.ErrorCode.SERVER_ERROR, "java.lang.NullPointerException")));
        assertFalse(SolrRetry.retriable(new IllegalArgumentException("connection refused")), "only Solr's and I/O failures are judged");
    }

    @Test
    void theUrlInAMessageDoesNotMakeAFailureRetriable() {
        // SolrJ puts the request's URL in every remote error, and a collection may be named anything.
        assertFalse(SolrRetry.retriable(new RemoteSolrException("http://127.0.0.1:1/solr/loupe_connection_refused", 404, "No such field [v.emb]", null)));
    }

    @Test
    void anIndexWhoseNodesAreAllDownAnswersUnavailableNamingThemOnceRetryForHasPassed() {
        String nowhere = "http://127.0.0.1:" + EngineProcess.freePort() + "/solr";
        try (SolrDocumentIndex index = new SolrDocumentIndex(new SolrDocumentIndex.Options(List.of(nowhere), 2, 2, Duration.ofMillis(500)))) {
            LoupeException.Unavailable e = assertThrows(LoupeException.Unavailable.class, () -> index.count("c1", FilterNode.ALL));
            assertTrue(e.getMessage().startsWith("Solr did not take the request within PT0.5S (nodes [" + nowhere + "])"), e.getMessage());
            assertTrue(SolrRetry.retriable(e.getCause()), "the last failure comes with it: " + e.getCause());
        }
    }

    @Test
    void pausesDoubleFromTheFirstUpToTheMostAndNeverPassTheTimeLeft() {
        Duration plenty = Duration.ofMinutes(1);
        for (int failures = 1; failures < 40; failures++) {
            long full = Math.min(SolrRetry.MAX_PAUSE.toMillis(), SolrRetry.FIRST_PAUSE.toMillis() << Math.min(failures - 1, 10));
            long pause = SolrRetry.pause(failures, plenty).toMillis();
            assertTrue(pause >= full / 2 && pause <= full, "pause " + pause + " ms after " + failures + " failures, full " + full);
        }
        assertEquals(Duration.ofMillis(30), SolrRetry.pause(12, Duration.ofMillis(30)));
        assertEquals(Duration.ZERO, SolrRetry.pause(3, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SolrRetry.pause(0, plenty));
    }
}
