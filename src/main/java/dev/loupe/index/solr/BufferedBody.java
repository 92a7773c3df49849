package dev.loupe.index.solr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.BinaryRequestWriter;
import org.apache.solr.client.solrj.request.RequestWriter;
import org.apache.solr.client.solrj.response.SimpleSolrResponse;
import org.apache.solr.common.params.SolrParams;
import org.apache.solr.common.util.NamedList;

/**
 * A Solr request's body, written out once, and sent so that a failed attempt leaves nothing behind.
 *
 * <p>{@code HttpJdkSolrClient} streams a body through a pipe that one of four threads per client
 * fills. When the connection fails before the body is read (a node that is down refuses it), that
 * thread waits on the full pipe forever; after three such failures every later request through the
 * client waits for a thread that never comes, past its request timeout, and holds the caller (an
 * ingestion worker) with it. Each attempt here closes its pipe once the call is over, whatever
 * its outcome, which ends a writer still waiting on it.
 */
final class BufferedBody {
    /** The client's own writer: javabin for updates, the request's own format (JSON) for the rest. */
    private static final RequestWriter WRITER = new BinaryRequestWriter();

    private final SolrRequest<?> request;
    /** Null when the request has no body: it is sent as it is. */
    private final byte[] bytes;
    private final String contentType;

    private BufferedBody(SolrRequest<?> request, byte[] bytes, String contentType) {
        this.request = request;
        this.bytes = bytes;
        this.contentType = contentType;
    }

    static BufferedBody of(SolrRequest<?> request) {
        RequestWriter.ContentWriter body = WRITER.getContentWriter(request);
        if (body == null) return new BufferedBody(request, null, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the body of a Solr request to " + request.getPath(), e);
        }
        return new BufferedBody(request, out.toByteArray(), body.getContentType());
    }

    /** One attempt through {@code client}. */
    NamedList<Object> sendThrough(SolrClient client, String collection) throws SolrServerException, IOException {
        if (bytes == null) return client.request(request, collection);
        Attempt attempt = new Attempt();
        try {
            return client.request(attempt, collection);
        } finally {
            attempt.abandon();
        }
    }

    /** The request for one attempt, with a body writer that {@link #abandon} ends wherever it is. */
    private final class Attempt extends SolrRequest<SimpleSolrResponse> {
        // Each side writes its field before it reads the other's (both volatile), so either the
        // writer sees the attempt abandoned and writes nothing, or abandon sees the pipe and closes it.
        private volatile OutputStream pipe;
        private volatile boolean abandoned;

        Attempt() {
            super(request.getMethod(), request.getPath());
        }

        void abandon() {
            abandoned = true;
            OutputStream p = pipe;
            if (p == null) return;
            try {
                p.close();
            } catch (IOException ignored) {
                // closing a pipe does not fail; the writer is ended either way
            }
        }

        @Override
        public RequestWriter.ContentWriter getContentWriter(String expectedType) {
            return new RequestWriter.ContentWriter() {
                @Override
                public void write(OutputStream os) throws IOException {
                    pipe = os;
                    if (!abandoned) os.write(bytes);
                }

                @Override
                public String getContentType() {
                    return contentType;
                }
            };
        }

        @Override
        public SolrParams getParams() {
            return request.getParams();
        }

        @Override
        public String getRequestType() {
            return request.getRequestType();
        }

        @Override
        public boolean requiresCollection() {
            return request.requiresCollection();
        }

        @Override
        protected SimpleSolrResponse createResponse(SolrClient client) {
            return new SimpleSolrResponse();
        }
    }
}
