package dev.loupe.http.openapi;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every operation Loupe documents. A new route gets one {@link Operation} in the list of its
 * resource family ({@code CatalogOperations}, {@code CollectionOperations},
 * {@code RetrieverOperations}, {@code UploadOperations}, {@code ServiceOperations});
 * {@code OpenApiDocumentTest} fails, naming the route and this class, until the router and
 * the document agree.
 */
public final class Operations {
    private Operations() {}

    public static List<Operation> all() {
        return Stream.of(CatalogOperations.operations(), UploadOperations.operations(), CollectionOperations.operations(),
                RetrieverOperations.operations(), ServiceOperations.operations()).flatMap(List::stream).toList();
    }
}
