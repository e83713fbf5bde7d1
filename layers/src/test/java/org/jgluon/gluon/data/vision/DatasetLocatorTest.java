package org.jgluon.gluon.data.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLocatorTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    /** Temp cache and system roots, no explicit directory, network and apt off. */
    private DatasetLocator offline() {
        return DatasetLocator.defaults().withoutDataDir().withCacheRoot(tmp.resolve("cache"))
                .withSystemRoot(tmp.resolve("system")).withDownload(false).withApt(false)
                .withLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    }

    private static void placeholders(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) Files.writeString(dir.resolve(n), "x");
    }

    private static final String[] TRAIN = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"};
    private static final DatasetSpec FM = DatasetSpec.FASHION_MNIST;

    @Test
    void explicitDirectoryComesFirst() throws IOException {
        placeholders(tmp.resolve("mine"), TRAIN);
        placeholders(tmp.resolve("cache/fashion-mnist"), TRAIN);
        placeholders(tmp.resolve("system/fashion-mnist"), TRAIN);
        DatasetLocator.SplitFiles f = offline().withDataDir(tmp.resolve("mine"), "--data").locate(FM, true);
        assertEquals(tmp.resolve("mine/train-images-idx3-ubyte.gz"), f.images());
        assertEquals(tmp.resolve("mine/train-labels-idx1-ubyte.gz"), f.labels());
    }

    @Test
    void explicitDirectoryMayHoldADatasetSubdirectory() throws IOException {
        placeholders(tmp.resolve("data/fashion-mnist"), TRAIN);
        DatasetLocator.SplitFiles f = offline().withDataDir(tmp.resolve("data"), "JGLUON_DATA").locate(FM, true);
        assertEquals(tmp.resolve("data/fashion-mnist/train-images-idx3-ubyte.gz"), f.images());
    }

    @Test
    void explicitDirectoryWithoutTheFilesIsAnErrorNotAFallback() throws IOException {
        placeholders(tmp.resolve("cache/fashion-mnist"), TRAIN);
        Files.createDirectories(tmp.resolve("empty"));
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> offline().withDataDir(tmp.resolve("empty"), "JGLUON_DATA").locate(FM, true));
        assertTrue(e.getMessage().contains(tmp.resolve("empty") + " (from JGLUON_DATA)"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void systemPropertyNamesTheDataDirectory() throws IOException {
        String before = System.getProperty("jgluon.data");
        try {
            System.setProperty("jgluon.data", tmp.resolve("prop").toString());
            placeholders(tmp.resolve("prop"), TRAIN);
            DatasetLocator d = DatasetLocator.defaults().withCacheRoot(tmp.resolve("cache")).withDownload(false).withApt(false);
            assertEquals(tmp.resolve("prop/train-images-idx3-ubyte.gz"), d.locate(FM, true).images());
            String m = assertThrows(DataNotFoundException.class, () -> d.locate(FM, false)).getMessage();
            assertTrue(m.contains("(from --data / -Djgluon.data)"), m);
            // an explicit argument beats the property
            placeholders(tmp.resolve("arg"), TRAIN);
            assertEquals(tmp.resolve("arg/train-images-idx3-ubyte.gz"), d.withDataDir(tmp.resolve("arg"), "--data").locate(FM, true).images());
        } finally {
            if (before == null) System.clearProperty("jgluon.data");
            else System.setProperty("jgluon.data", before);
        }
    }

    @Test
    void cacheBeforeSystemLocation() throws IOException {
        placeholders(tmp.resolve("cache/fashion-mnist"), TRAIN);
        placeholders(tmp.resolve("system/fashion-mnist"), TRAIN);
        assertEquals(tmp.resolve("cache/fashion-mnist/train-images-idx3-ubyte.gz"), offline().locate(FM, true).images());
    }

    @Test
    void systemLocationWhenTheCacheLacksAFile() throws IOException {
        placeholders(tmp.resolve("cache/fashion-mnist"), TRAIN[0]);
        placeholders(tmp.resolve("system/fashion-mnist"), TRAIN);
        assertEquals(tmp.resolve("system/fashion-mnist/train-labels-idx1-ubyte.gz"), offline().locate(FM, true).labels());
    }

    @Test
    void uncompressedFilesAreAcceptedAndTheSplitDecidesTheNames() throws IOException {
        placeholders(tmp.resolve("cache/fashion-mnist"), "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz");
        DatasetLocator.SplitFiles f = offline().locate(FM, false);
        assertEquals(tmp.resolve("cache/fashion-mnist/t10k-images-idx3-ubyte"), f.images());
        assertThrows(DataNotFoundException.class, () -> offline().locate(FM, true));
    }

    @Test
    void finalErrorListsWhatWasTriedAndTheWaysToGetTheData() {
        DataNotFoundException e = assertThrows(DataNotFoundException.class, () -> offline().locate(FM, true));
        String m = e.getMessage();
        String want = "Fashion-MNIST not found. Tried:\n"
                + "  - " + tmp.resolve("cache/fashion-mnist") + " (user cache): no such directory\n"
                + "  - " + tmp.resolve("system/fashion-mnist") + " (package dataset-fashion-mnist): no such directory\n"
                + "  - download: disabled\n"
                + "  - apt-get: disabled\n"
                + "Get Fashion-MNIST in one of these ways:\n"
                + "  1. point jgluon at a directory holding the files: --data DIR or JGLUON_DATA=DIR\n"
                + "  2. install the Debian/Ubuntu package: sudo apt-get install dataset-fashion-mnist (puts them in "
                + tmp.resolve("system/fashion-mnist") + ")\n"
                + "  3. download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
                + "t10k-labels-idx1-ubyte.gz\n"
                + "     from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ into " + tmp.resolve("cache/fashion-mnist");
        assertEquals(want, m);
    }

    @Test
    void mnistHasNoPackageStep() {
        String m = assertThrows(DataNotFoundException.class, () -> offline().withApt(true).locate(DatasetSpec.MNIST, false)).getMessage();
        assertTrue(m.startsWith("MNIST not found."), m);
        assertTrue(m.contains("apt-get: no Debian package for MNIST"), m);
        assertFalse(m.contains("sudo apt-get"), m);
    }

    @Test
    void downloadsVerifiesAndRenamesIntoTheCache() throws Exception {
        Path sample = FashionMNISTTest.sampleDir();
        HttpServer server = serve(sample);
        try {
            DatasetSpec spec = localSpec(server, md5s(sample));
            DatasetLocator.SplitFiles f = offline().withDownload(true).locate(spec, false);
            Path cache = tmp.resolve("cache/fashion-mnist");
            assertEquals(cache.resolve("t10k-images-idx3-ubyte.gz"), f.images());
            for (String name : spec.allFiles()) {
                assertEquals(-1L, Files.mismatch(sample.resolve(name), cache.resolve(name)), name);
            }
            assertEquals(4, listing(cache).size(), "stray temporary files: " + listing(cache));
            assertTrue(logBytes.toString(StandardCharsets.UTF_8).startsWith("jgluon: downloading Fashion-MNIST from http://127.0.0.1:"));
            assertEquals(1000, new FashionMNIST(false, offline()).size());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aChecksumMismatchKeepsNothing() throws Exception {
        Path sample = FashionMNISTTest.sampleDir();
        HttpServer server = serve(sample);
        try {
            Map<String, String> md5 = new HashMap<>(md5s(sample));
            md5.put("train-labels-idx1-ubyte.gz", "00000000000000000000000000000000");
            DataNotFoundException e = assertThrows(DataNotFoundException.class,
                    () -> offline().withDownload(true).locate(localSpec(server, md5), true));
            assertTrue(e.getMessage().contains("has MD5 " + md5s(sample).get("train-labels-idx1-ubyte.gz")
                    + ", want 00000000000000000000000000000000"), e.getMessage());
            for (String name : listing(tmp.resolve("cache/fashion-mnist"))) {
                assertFalse(name.startsWith("train-labels"), "kept a bad or partial download: " + name);
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableMirrorFailsAndSaysSo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        DatasetSpec spec = withMirrors(List.of("http://127.0.0.1:" + port + "/"), FM.md5());
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> offline().withDownload(true).withConnectTimeoutMs(2000).locate(spec, true));
        assertTrue(e.getMessage().contains("download into " + tmp.resolve("cache/fashion-mnist") + ": http://127.0.0.1:" + port),
                e.getMessage());
    }

    @Test
    void installsThePackageWithAptWhenRootRetryingAfterUpdate() throws Exception {
        Assumptions.assumeTrue(DatasetLocator.isRoot(), "apt is only tried as root");
        Path system = tmp.resolve("system/fashion-mnist");
        Path calls = tmp.resolve("apt-calls");
        Path fakeApt = tmp.resolve("fake-apt-get");
        // the first install fails (stale package lists), update succeeds, the second install copies the sample
        Files.writeString(fakeApt, "#!/bin/sh\n"
                + "echo \"$*\" >> '" + calls + "'\n"
                + "if [ \"$1\" = install ]; then\n"
                + "  if [ ! -f '" + tmp.resolve("updated") + "' ]; then echo 'E: Unable to locate package' >&2; exit 100; fi\n"
                + "  mkdir -p '" + system + "' && cp '" + FashionMNISTTest.sampleDir() + "'/* '" + system + "'/\n"
                + "fi\n"
                + "if [ \"$1\" = update ]; then touch '" + tmp.resolve("updated") + "'; fi\n");
        assertTrue(fakeApt.toFile().setExecutable(true));
        FashionMNIST ds = new FashionMNIST(true, offline().withApt(true).withAptCommand(List.of(fakeApt.toString())));
        assertEquals(3000, ds.size());
        assertEquals("install -y dataset-fashion-mnist\nupdate\ninstall -y dataset-fashion-mnist\n", Files.readString(calls));
        assertEquals("jgluon: Fashion-MNIST not found; installing the Debian package dataset-fashion-mnist "
                + "(apt-get install -y dataset-fashion-mnist)\n", logBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aptIsNeverRunForAnotherSystemRootWithTheRealCommand() {
        String m = assertThrows(DataNotFoundException.class, () -> offline().withApt(true).locate(FM, true)).getMessage();
        assertTrue(m.contains("apt-get: not tried"), m);
        assertEquals("", logBytes.toString(StandardCharsets.UTF_8));
    }

    private static HttpServer serve(Path dir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            Path f = dir.resolve(ex.getRequestURI().getPath().substring(1));
            if (!Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
            } else {
                byte[] body = Files.readAllBytes(f);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        return server;
    }

    private static DatasetSpec localSpec(HttpServer server, Map<String, String> md5) {
        return withMirrors(List.of("http://127.0.0.1:" + server.getAddress().getPort() + "/"), md5);
    }

    private static DatasetSpec withMirrors(List<String> mirrors, Map<String, String> md5) {
        return new DatasetSpec(FM.name(), FM.displayName(), FM.trainFiles(), FM.testFiles(), md5, mirrors,
                FM.debianPackage(), FM.licence());
    }

    private static Map<String, String> md5s(Path dir) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String name : FM.allFiles()) {
            out.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(dir.resolve(name)))));
        }
        return out;
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
