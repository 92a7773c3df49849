package dev.loupe.testing.engines;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One Loupe node's way to every engine of a {@link LoupeCluster} through {@link TcpProxy}s: the
 * catalog, each Solr node and the S3 store get a proxy of their own, and Kafka is reached through
 * the proxies the cluster's brokers advertise on their proxied listener ({@link KafkaCluster#proxies}).
 * {@link #partition} cuts the node off all of them at once, as a network partition of its machine
 * would, while the node itself keeps answering HTTP and every other node carries on.
 */
public final class ProxiedEndpoints implements AutoCloseable {
    private final LoupeCluster.Endpoints endpoints;
    private final List<TcpProxy> own;
    private final List<TcpProxy> kafka;

    private ProxiedEndpoints(LoupeCluster.Endpoints endpoints, List<TcpProxy> own, List<TcpProxy> kafka) {
        this.endpoints = endpoints;
        this.own = List.copyOf(own);
        this.kafka = List.copyOf(kafka);
    }

    /** Proxies in front of {@code cluster}'s engines (its Kafka must have been started proxied, as {@link LoupeCluster} does). */
    public static ProxiedEndpoints of(LoupeCluster cluster) {
        LoupeCluster.Endpoints direct = cluster.endpoints();
        List<TcpProxy> own = new ArrayList<>();
        try {
            URI catalog = URI.create(direct.catalogUrl());
            TcpProxy pg = track(own, TcpProxy.to("catalog", catalog.getPort()));
            String catalogUrl = withPort(catalog, pg.port()).toString();
            List<String> solr = new ArrayList<>();
            for (String url : direct.solrUrls()) {
                URI u = URI.create(url);
                solr.add(withPort(u, track(own, TcpProxy.to("solr-" + u.getPort(), u.getPort())).port()).toString());
            }
            URI s3 = withPort(direct.s3Endpoint(), track(own, TcpProxy.to("s3", direct.s3Endpoint().getPort())).port());
            LoupeCluster.Endpoints proxied = new LoupeCluster.Endpoints(catalogUrl, cluster.kafka().proxiedBootstrapServers(), solr, s3);
            return new ProxiedEndpoints(proxied, own, cluster.kafka().proxies());
        } catch (RuntimeException e) {
            own.forEach(TcpProxy::close);
            throw e;
        }
    }

    private static TcpProxy track(List<TcpProxy> into, TcpProxy p) {
        into.add(p);
        return p;
    }

    private static URI withPort(URI u, int port) {
        return URI.create(u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + u.getHost() + ":" + port
                + (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
    }

    /** The addresses to give the node ({@link LoupeCluster#addNode(String, LoupeCluster.Endpoints)}). */
    public LoupeCluster.Endpoints endpoints() {
        return endpoints;
    }

    /** Every proxy the node's traffic passes: the catalog's, the Solr nodes', the S3 store's, then the brokers'. */
    public List<TcpProxy> proxies() {
        List<TcpProxy> all = new ArrayList<>(own);
        all.addAll(kafka);
        return all;
    }

    public void partition() {
        proxies().forEach(TcpProxy::partition);
    }

    public void heal() {
        proxies().forEach(TcpProxy::heal);
    }

    /** Bytes forwarded by all the proxies so far. */
    public long forwardedBytes() {
        return proxies().stream().mapToLong(TcpProxy::forwardedBytes).sum();
    }

    /** Closes the proxies made here; the brokers' belong to their {@link KafkaCluster}. */
    @Override
    public void close() {
        own.forEach(TcpProxy::close);
    }
}
