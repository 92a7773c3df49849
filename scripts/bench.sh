#!/usr/bin/env bash
# Loupe's benchmarks. Usage: scripts/bench.sh [embeddings|thumbnails|ingestion [MODEL]|faces|search [DOCUMENTS [none|int8]]|build [DOCUMENTS]|ocr [COUNT]|providers [LIMITS...]|cluster [IMAGES]]
# Generates the random-weight SigLIP graphs once (bench/models), builds, and prints
# Markdown tables for BENCHMARKS.md. Speed is never asserted in tests; it is measured here.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
if ! /usr/bin/python3 -c 'import onnx, numpy, PIL' 2>/dev/null || ! command -v vipsthumbnail >/dev/null || ! command -v ffmpeg >/dev/null \
   || ! ls /usr/lib/*/libturbojpeg.so.0 >/dev/null 2>&1 || ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-onnx python3-numpy python3-pil \
    libturbojpeg0 libvips-tools ffmpeg wrk
fi
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
# Absolute: the cluster benchmark hands its class path to Loupe nodes that run in other directories.
CP="$PWD/target/classes:$PWD/target/test-classes:$(cat target/bench.classpath)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); java $(java -version 2>&1 | head -1)"
JAVA=(java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$CP")
case "${1:-embeddings}" in
  embeddings)
    [ -f bench/models/siglip-random-calibrate/visual.onnx ] || /usr/bin/python3 scripts/siglip_random.py bench/models
    # Static int8: a calibration run through Loupe's preprocessing fixes each layer's activation range.
    if [ ! -f bench/models/siglip-random-int8-static/visual/model.onnx ]; then
      "${JAVA[@]}" dev.loupe.bench.Int8Calibration bench/models bench/models/calibration.json
      /usr/bin/python3 scripts/siglip_random.py --static bench/models/calibration.json bench/models
    fi
    "${JAVA[@]}" dev.loupe.bench.EmbeddingBenchmark bench/models ;;
  thumbnails)
    [ -f bench/images/photo_progressive.jpg ] || /usr/bin/python3 scripts/bench_images.py bench/images
    echo "vips $(vipsthumbnail --version 2>&1 | head -1); $(ffmpeg -version | head -1)"
    "${JAVA[@]}" dev.loupe.bench.ThumbnailBenchmark bench/images ;;
  ingestion)
    [ -f bench/models/siglip-random-calibrate/visual.onnx ] || /usr/bin/python3 scripts/siglip_random.py bench/models
    [ -d bench/images/ingest ] || /usr/bin/python3 scripts/bench_images.py bench/images 20
    echo "| model | objects | seconds | images/s end-to-end | images/s model only | end-to-end / model |"
    echo "|---|---|---|---|---|---|"
    "${JAVA[@]}" dev.loupe.bench.IngestionBenchmark bench/images bench/models "${2:-siglip-random-int8}" ;;
  faces)
    # The real face weights and photos of ../shared; the fixture image encoder is generated on first use.
    "${JAVA[@]}" dev.loupe.bench.FaceBenchmark ;;
  search)
    # hnswlib and FAISS, measured beside Loupe on the same vectors (scripts/search_peers.py).
    /usr/bin/python3 -c 'import hnswlib, faiss' 2>/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-hnswlib python3-faiss; }
    echo "load before: $(uptime)"
    # The index for each size and quantization is built once under bench/search/ and reused.
    [ -f bench/models/siglip-random-calibrate/visual.onnx ] || /usr/bin/python3 scripts/siglip_random.py bench/models
    # Read the index once so that the first figures do not pay for a cold page cache.
    cat "bench/search/${2:-100000}-${3:-none}"/index/*/* > /dev/null 2>&1 || true
    # A snapshot of the classes, so rebuilding during a long run cannot change the code under measurement.
    rm -rf bench/classes && mkdir -p bench/classes && cp -r target/classes target/test-classes bench/classes/
    # The service's own JVM flags (see ./loupe), with room for the exact-search reference's vectors.
    java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseZGC -Xmx12g \
      -cp "bench/classes/classes:bench/classes/test-classes:$(cat target/bench.classpath)" dev.loupe.bench.SearchBenchmark bench bench/models siglip-random "${2:-100000}" "${3:-none}"
    # The peers on what the Java side exported (vectors, queries, buckets, exact top 10) and beside its curve.
    /usr/bin/python3 scripts/search_peers.py "bench/search/${2:-100000}-${3:-none}/peers"
    echo "load after: $(uptime)" ;;
  build)
    # A fresh index under bench/build/ each run: ingestion until durable, then compaction, then recall.
    "${JAVA[@]}" -XX:+UseZGC -Xmx1g dev.loupe.bench.IndexBuildBenchmark bench/build "${2:-100000}" ;;
  ocr)
    # ../shared/data/ocr and a generated set, Loupe next to Tesseract. The set is drawn once and
    # again only when COUNT or the drawing script changes.
    stamp="${2:-100} $(sha256sum scripts/ocr_images.py | cut -d' ' -f1)"
    if [ "$(cat bench/ocr/.stamp 2>/dev/null)" != "$stamp" ]; then
      rm -rf bench/ocr && /usr/bin/python3 scripts/ocr_images.py bench/ocr "${2:-100}" && echo "$stamp" > bench/ocr/.stamp
    fi
    "${JAVA[@]}" dev.loupe.bench.OcrBenchmark bench/ocr ;;
  providers)
    # A provider stand-in that takes 2 s per call, at --vlm-concurrency 1, 4 and 16 (or the limits given).
    shift
    "${JAVA[@]}" dev.loupe.bench.ProviderBenchmark "$@" ;;
  cluster)
    # The embedded build, then the loopback cluster (2 nodes on PostgreSQL, Kafka, SolrCloud, S3Proxy),
    # on the fixture encoder, with IMAGES generated images (default 2000). Engine logs: target/engines/.
    "${JAVA[@]}" -Xmx1g dev.loupe.bench.ClusterBenchmark "${2:-2000}" ;;
  *) echo "unknown benchmark '$1' (embeddings, thumbnails, ingestion, faces, search, build, ocr, providers, cluster)" >&2; exit 2 ;;
esac
