package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerExportTest {
    @TempDir Path dir;

    @Test
    void floatsAreWrittenRowAfterRowAsLittleEndianFloat32() throws Exception {
        Path f = dir.resolve("v.f32");
        PeerExport.writeFloats(f, new float[][] {{1.0f, -2.0f}, {0.5f, 0.0f}});
        // 1.0f is 0x3F800000, -2.0f 0xC0000000, 0.5f 0x3F000000: lowest byte first.
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0, 0, 0, 0, 0x3F, 0, 0, 0, 0},
                Files.readAllBytes(f));
    }

    @Test
    void intsAreWrittenRowAfterRowAsLittleEndianInt32() throws Exception {
        Path f = dir.resolve("t.i32");
        PeerExport.writeInts(f, new int[][] {{1, 258}, {-1}});
        assertArrayEquals(new byte[] {1, 0, 0, 0, 2, 1, 0, 0, -1, -1, -1, -1}, Files.readAllBytes(f));
    }

    @Test
    void recallCountsTheTrueNeighboursFoundWhateverTheirOrder() {
        assertEquals(1.0, PeerExport.recall(new int[] {3, 2, 1}, new int[] {1, 2, 3}));
        assertEquals(2 / 3.0, PeerExport.recall(new int[] {3, 9, 1}, new int[] {1, 2, 3}));
        assertEquals(0.0, PeerExport.recall(new int[] {}, new int[] {1, 2, 3}));
    }

    @Test
    void documentNumbersComeFromBenchmarkIdsOnly() {
        assertEquals(17, PeerExport.documentNumber("doc_17"));
        assertThrows(IllegalArgumentException.class, () -> PeerExport.documentNumber("item_17"));
    }
}
