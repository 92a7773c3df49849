import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * One SolrCloud node for Loupe's tests, run as a single-file program on the class path of
 * engines/solr/pom.xml (no build step): {@code java -cp <cp> SolrNode.java <solrHome> <port> <zkHost>}.
 * It writes a cloud solr.xml into the home when there is none, starts Jetty on 127.0.0.1:port
 * under /solr and registers with ZooKeeper; its cores stay in the home, so a node killed with
 * SIGKILL and started again with the same arguments comes back with its replicas.
 */
public final class SolrNode {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) throw new IllegalArgumentException("usage: SolrNode <solrHome> <port> <zkHost>");
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(home);
        Path solrXml = home.resolve("solr.xml");
        if (!Files.exists(solrXml)) Files.writeString(solrXml, SOLR_XML);
        System.setProperty("zkHost", args[2]);
        System.setProperty("host", "127.0.0.1");
        System.setProperty("hostPort", String.valueOf(port));
        System.setProperty("hostContext", "/solr");
        Properties props = new Properties();
        props.setProperty("hostPort", String.valueOf(port));
        props.setProperty("hostContext", "/solr");
        JettySolrRunner node = new JettySolrRunner(home.toString(), props,
                JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build());
        node.start();
        System.out.println("SolrNode up at " + node.getBaseUrl());
        Thread.currentThread().join();
    }

    // zkClientTimeout is short so that a node killed with SIGKILL loses its leaderships within seconds.
    private static final String SOLR_XML = """
            <solr>
              <str name="coreRootDirectory">${coreRootDirectory:.}</str>
              <solrcloud>
                <str name="host">127.0.0.1</str>
                <int name="hostPort">${hostPort:8983}</int>
                <str name="hostContext">${hostContext:solr}</str>
                <str name="zkHost">${zkHost:}</str>
                <int name="zkClientTimeout">${solr.zkclienttimeout:8000}</int>
                <bool name="genericCoreNodeNames">true</bool>
                <int name="leaderVoteWait">5000</int>
                <int name="distribUpdateConnTimeout">5000</int>
                <int name="distribUpdateSoTimeout">30000</int>
              </solrcloud>
              <shardHandlerFactory name="shardHandlerFactory" class="HttpShardHandlerFactory">
                <int name="socketTimeout">30000</int>
                <int name="connTimeout">5000</int>
              </shardHandlerFactory>
            </solr>
            """;
}
