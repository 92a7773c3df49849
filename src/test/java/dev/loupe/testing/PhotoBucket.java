package dev.loupe.testing;

/**
 * A namespace of a test's own holding the bucket {@code photos}, whose schema has one image
 * property, {@code image}, and a string {@code sku}: where uploads and {@code loupe ingest} put files.
 */
public final class PhotoBucket {
    public static final String NAME = "photos";

    private PhotoBucket() {}

    /** Creates namespace {@code namespace} (with the image extractor) and the bucket in it; the API acts in that namespace. */
    public static Api create(TestServer server, String namespace) {
        Api api = server.admin(namespace);
        api.ok("POST", "/v1/namespaces", """
                {"namespace_name": "%s", "feature_extractors": [{"feature_extractor_name": "image_extractor", "version": "v1"}]}"""
                .formatted(namespace));
        api.ok("POST", "/v1/buckets", """
                {"bucket_name": "%s", "bucket_schema": {"properties": {"image": {"type": "image"}, "sku": {"type": "string"}}}}"""
                .formatted(NAME));
        return api;
    }
}
