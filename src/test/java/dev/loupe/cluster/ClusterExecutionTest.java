package dev.loupe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Kind;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.IndexedDocument;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Executions end to end on a real catalog and index: enrichment, cannot-link, manual edits that survive, late arrivals. */
class ClusterExecutionTest {
    private static final Groups FOUR = Groups.of(4, 6, 32, 0.05, 5);

    /** The cluster holding the documents of group {@code g}, checking that they are all in one. */
    private static String clusterOfGroup(ClusterRig rig, int g) {
        Set<String> found = new HashSet<>();
        for (int i = 0; i < FOUR.truth().length; i++) if (FOUR.truth()[i] == g) found.add(rig.clusterOf("d" + i));
        assertEquals(1, found.size(), "group " + g + " is split over " + found);
        return found.iterator().next();
    }

    @Test
    void executionWritesClusterFieldsThatFiltersFind(@TempDir Path dir) {
        try (ClusterRig rig = new ClusterRig(dir)) {
            rig.write(FOUR);
            ClusterRun run = rig.execute(rig.define("hdbscan", "{\"min_cluster_size\": 3}"));
            assertEquals(ClusterRun.Status.COMPLETED, run.status(), run.errorMessage());
            assertEquals(4, run.groups().size());
            assertEquals(24, run.numPoints());
            assertEquals(0, run.noisePoints());
            Set<String> clusters = new HashSet<>();
            for (int g = 0; g < 4; g++) clusters.add(clusterOfGroup(rig, g));
            assertEquals(Set.of("cl_0", "cl_1", "cl_2", "cl_3"), clusters);
            var filter = FilterParser.parseStatic(Json.parseRequest("{\"AND\": [{\"field\": \"cluster_id\", \"operator\": \"eq\", \"value\": \"cl_2\"}]}"), "filters");
            assertEquals(6, rig.index.count(ClusterRig.COLLECTION, filter));
            IndexedDocument d0 = rig.index.get(ClusterRig.COLLECTION, "d0").orElseThrow();
            String c0 = d0.fields().path("cluster_id").asText();
            assertEquals("Cluster " + c0.substring(3), d0.fields().path("cluster_label").asText());
            ClusterRun.Group group = run.groups().stream().filter(g -> g.clusterId().equals(c0)).findFirst().orElseThrow();
            double distance = d0.fields().path("distance_to_centroid").asDouble();
            assertEquals(Vectors.cosineDistance(Vectors.normalised(FOUR.vectors()[0]), group.centroid()), distance, 1e-9);
            assertTrue(distance <= group.radius());
            assertEquals(6, group.numMembers());
        }
    }

    @Test
    void twoFacesOfOnePhotoNeverShareACluster(@TempDir Path dir) {
        try (ClusterRig rig = new ClusterRig(dir)) {
            rig.write(FOUR);
            // Two faces of one photo in group 0, so the library puts both there: faceB at the group's
            // mean direction, faceA on a member.
            List<Integer> members0 = new java.util.ArrayList<>();
            for (int i = 0; i < FOUR.truth().length; i++) if (FOUR.truth()[i] == 0) members0.add(i);
            float[] mean = Vectors.centroid(FOUR.vectors(), members0);
            rig.index.upsert(ClusterRig.COLLECTION, List.of(ClusterRig.doc("faceA", "group-photo", FOUR.vectors()[0].clone()),
                    ClusterRig.doc("faceB", "group-photo", mean)));
            ClusterRun run = rig.execute(rig.define("kmeans", "{\"n_clusters\": 4}"));
            assertEquals(ClusterRun.Status.COMPLETED, run.status(), run.errorMessage());
            String group0 = clusterOfGroup(rig, 0);
            // The face nearer the centroid stays; the other is far from every other cluster, so it is noise.
            assertEquals(group0, rig.clusterOf("faceB"));
            assertNull(rig.clusterOf("faceA"));
            assertEquals(1, run.noisePoints());
        }
    }

    @Test
    void mergeAndMoveSurviveTheNextExecution(@TempDir Path dir) {
        try (ClusterRig rig = new ClusterRig(dir)) {
            rig.write(FOUR);
            ClusterDefinition def = rig.define("kmeans", "{\"n_clusters\": 4}");
            rig.execute(def);
            ClusterRun merged = rig.clusters.merge(ClusterRig.NS, def.clusterId(), List.of(clusterOfGroup(rig, 1)), clusterOfGroup(rig, 0));
            assertEquals(3, merged.groups().size());
            assertEquals(clusterOfGroup(rig, 0), rig.clusterOf("d1"));
            // d2 is in group 2; move it to group 3's cluster.
            assertEquals(2, FOUR.truth()[2]);
            ClusterRun moved = rig.clusters.move(ClusterRig.NS, def.clusterId(), List.of("d2"), clusterOfGroup(rig, 3));
            assertEquals(clusterOfGroup(rig, 3), rig.clusterOf("d2"));
            assertEquals(List.of(5, 7, 12), moved.groups().stream().map(ClusterRun.Group::numMembers).sorted().toList());

            ClusterRun again = rig.execute(rig.clusters.require(ClusterRig.NS, def.clusterId()));
            assertEquals(ClusterRun.Status.COMPLETED, again.status(), again.errorMessage());
            assertEquals(3, again.groups().size());
            Set<String> zeroAndOne = new HashSet<>();
            for (int i = 0; i < 24; i++) if (FOUR.truth()[i] <= 1) zeroAndOne.add(rig.clusterOf("d" + i));
            assertEquals(1, zeroAndOne.size(), "groups 0 and 1 stay merged");
            String three = rig.clusterOf("d3");
            assertEquals(3, FOUR.truth()[3]);
            assertEquals(three, rig.clusterOf("d2"), "d2 stays moved");
            assertNotEquals(three, rig.clusterOf("d6"), "the rest of group 2 stays where it was");
            assertEquals(List.of(12, 7, 5), again.groups().stream().map(ClusterRun.Group::numMembers).toList());
        }
    }

    @Test
    void lateDocumentsJoinTheNearestClusterWithinItsRadius(@TempDir Path dir) {
        try (ClusterRig rig = new ClusterRig(dir)) {
            rig.write(FOUR);
            ClusterDefinition def = rig.define("kmeans", "{\"n_clusters\": 4}");
            ClusterRun run = rig.execute(def);
            String group1 = clusterOfGroup(rig, 1);
            float[] centre = run.groups().stream().filter(g -> g.clusterId().equals(group1)).findFirst().orElseThrow().centroid();
            float[] far = new float[32];
            far[0] = 1;
            IndexedDocument sibling = ClusterRig.doc("late-sibling", "photo1", centre);
            List<IndexedDocument> placed = rig.clusters.assignment().assign(ClusterRig.NS, ClusterRig.COLLECTION,
                    List.of(ClusterRig.doc("late", "new-photo", centre), ClusterRig.doc("stranger", "other-photo", far), sibling));
            assertEquals(group1, placed.get(0).fields().path("cluster_id").asText());
            assertEquals(0.0, placed.get(0).fields().path("distance_to_centroid").asDouble(), 1e-6);
            assertTrue(placed.get(1).fields().path("cluster_id").isNull(), "beyond every radius: noise");
            // photo1 already has d1 in group 1's cluster, so its second face may not join it.
            assertEquals(1, FOUR.truth()[1]);
            assertTrue(placed.get(2).fields().path("cluster_id").isNull());
            assertTrue(sibling.fields().path("cluster_id").isMissingNode(), "the input is not changed");
            ClusterRun after = rig.catalog.require(Kind.CLUSTER_RUN, ClusterRig.NS, run.runId());
            assertEquals(7, after.groups().stream().filter(g -> g.clusterId().equals(group1)).findFirst().orElseThrow().numMembers());
            assertEquals(27, after.numPoints());
        }
    }

    @Test
    void anExecutionARestartInterruptedIsFailedNotLeftProcessing(@TempDir Path dir) {
        String runId;
        try (ClusterRig rig = new ClusterRig(dir)) {
            ClusterDefinition def = rig.define("kmeans", "{\"n_clusters\": 2}");
            runId = "run_interrupted";
            rig.catalog.insert(Kind.CLUSTER_RUN, runId, ClusterRig.NS, def.clusterId(), null,
                    ClusterRun.pending(runId, def.clusterId(), ClusterRig.NS, "task_interrupted", "2026-01-01T00:00:00Z").processing());
        }
        try (ClusterRig rig = new ClusterRig(dir)) {
            ClusterRun run = rig.catalog.require(Kind.CLUSTER_RUN, ClusterRig.NS, runId);
            assertEquals(ClusterRun.Status.FAILED, run.status());
            assertEquals("interrupted by a restart; execute again", run.errorMessage());
        }
    }
}
