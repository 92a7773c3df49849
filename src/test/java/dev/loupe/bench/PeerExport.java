package dev.loupe.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * The search benchmark's data as plain files, so that other libraries (hnswlib, FAISS; see
 * {@code scripts/search_peers.py}) search the very same vectors and queries and are scored
 * against the very same exact top-k.
 *
 * <p>Every file is a headerless row-major matrix of little-endian 4-byte values, its shape in
 * {@code meta.json}: {@code vectors.f32} (documents x dimension, float32), {@code queries.f32}
 * (queries x dimension, float32), {@code buckets.i32} (documents, int32: {@code metadata.bucket}),
 * and one {@code truth-LABEL.i32} per filter (queries x k, int32 document numbers, best first;
 * document {@code i} is {@code doc_i}). numpy reads each with {@code fromfile(dtype='<f4')} or
 * {@code '<i4'} and a reshape.
 */
final class PeerExport {
    private PeerExport() {}

    /** Writes {@code rows} as little-endian float32, one row after another. */
    static void writeFloats(Path file, float[][] rows) throws IOException {
        write(file, rows.length, i -> {
            ByteBuffer b = littleEndian(rows[i].length);
            b.asFloatBuffer().put(rows[i]);
            return b.array();
        });
    }

    /** Writes {@code rows} as little-endian int32, one row after another. */
    static void writeInts(Path file, int[][] rows) throws IOException {
        write(file, rows.length, i -> {
            ByteBuffer b = littleEndian(rows[i].length);
            b.asIntBuffer().put(rows[i]);
            return b.array();
        });
    }

    private static ByteBuffer littleEndian(int values) {
        return ByteBuffer.allocate(values * 4).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void write(Path file, int rows, IntFunction<byte[]> row) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < rows; i++) out.write(row.apply(i));
        }
    }

    /** The document number of a benchmark document id ({@code doc_17} is 17). */
    static int documentNumber(String documentId) {
        if (!documentId.startsWith("doc_")) throw new IllegalArgumentException("not a benchmark document id: " + documentId);
        return Integer.parseInt(documentId.substring(4));
    }

    /** The share of the true top k ({@code expected}, any order) that {@code got} holds. */
    static double recall(int[] got, int[] expected) {
        int hits = 0;
        for (int g : got) {
            for (int e : expected) {
                if (g == e) {
                    hits++;
                    break;
                }
            }
        }
        return hits / (double) expected.length;
    }
}
