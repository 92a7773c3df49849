package dev.loupe.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a named model is for, as its manifest's {@code kind} says; a manifest without one is a dual encoder. */
public enum ModelKind {
    /** Image and text towers in one space (CLIP, SigLIP), in the OpenCLIP/Immich layout. */
    DUAL_ENCODER,
    /** A face detector graph with landmarks (SCRFD, YuNet). */
    FACE_DETECTOR,
    /** A face recogniser graph: aligned 112×112 faces to vectors (ArcFace and kin). */
    FACE_RECOGNIZER,
    /** A detector and a recogniser published together (insightface's buffalo packs). */
    FACE_PACK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ModelKind named(String name) {
        for (ModelKind k : values()) if (k.wireName().equals(name)) return k;
        throw new IllegalArgumentException("model kind must be dual_encoder, face_detector, face_recognizer or face_pack, got: " + name);
    }

    public boolean detectsFaces() {
        return this == FACE_DETECTOR || this == FACE_PACK;
    }

    public boolean recognisesFaces() {
        return this == FACE_RECOGNIZER || this == FACE_PACK;
    }
}
