package dev.loupe.inference.clip;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A text tower's input ids: the model's clean-up ({@link TextClean}), then its own
 * {@code tokenizer.json} (SentencePiece for SigLIP, BPE for CLIP) with its special tokens,
 * truncated to the context length the way Hugging Face truncates (special tokens such as
 * the closing {@code </s>} are kept) and padded with the model's pad id.
 */
public final class TextTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int contextLength;
    private final long padId;
    private final TextClean clean;

    public TextTokenizer(Path tokenizerJson, int contextLength, long padId, TextClean clean) throws IOException {
        if (contextLength < 1) throw new IllegalArgumentException("context length must be positive, got: " + contextLength);
        this.tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optMaxLength(contextLength)
                .optPadding(false)
                .build();
        this.contextLength = contextLength;
        this.padId = padId;
        this.clean = clean;
    }

    /** Exactly {@code contextLength} ids. */
    public long[] ids(String text) {
        long[] raw = tokenizer.encode(clean.apply(text)).getIds();
        long[] ids = new long[contextLength];
        Arrays.fill(ids, padId);
        System.arraycopy(raw, 0, ids, 0, Math.min(raw.length, contextLength));
        return ids;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
