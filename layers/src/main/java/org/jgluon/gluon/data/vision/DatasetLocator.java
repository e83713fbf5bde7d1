package org.jgluon.gluon.data.vision;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds a dataset's files, in this order (DESIGN.md, "Data"):
 * <ol>
 *   <li>an explicit directory — the {@code root} argument, else {@code -Djgluon.data}, else
 *       {@code JGLUON_DATA} — holding the files itself or in a {@code <name>} subdirectory. When
 *       one is given and lacks the files, that is an error: the user asked for that copy;</li>
 *   <li>the user cache {@code ~/.jgluon/datasets/<name>};</li>
 *   <li>the distribution's location {@code /usr/share/datasets/<name>}
 *       (Debian/Ubuntu package {@code dataset-fashion-mnist});</li>
 *   <li>a download of the four files from the dataset's public mirrors into the cache (short
 *       connect timeout, MD5 verified, temporary file renamed into place);</li>
 *   <li>when running as root with {@code apt-get} available: installing the Debian package
 *       (then {@code apt-get update} and again if that fails), announced in one line on stderr;</li>
 *   <li>otherwise a {@link DataNotFoundException} listing what was tried and the ways to get the data.</li>
 * </ol>
 * File names are accepted gzipped ({@code .gz}) or not. Instances are immutable; the
 * {@code with...} methods give adjusted copies (tests inject roots and turn the network and apt off).
 */
public final class DatasetLocator {

    private final Path dataDir;          // explicit directory, or null
    private final String dataDirSource;  // how it was given, for messages
    private final Path cacheRoot;
    private final Path systemRoot;
    private final boolean download;
    private final boolean apt;
    private final List<String> aptCommand;
    private final int connectTimeoutMs;
    private final PrintStream log;

    private DatasetLocator(Path dataDir, String dataDirSource, Path cacheRoot, Path systemRoot, boolean download,
                           boolean apt, List<String> aptCommand, int connectTimeoutMs, PrintStream log) {
        this.dataDir = dataDir;
        this.dataDirSource = dataDirSource;
        this.cacheRoot = cacheRoot;
        this.systemRoot = systemRoot;
        this.download = download;
        this.apt = apt;
        this.aptCommand = List.copyOf(aptCommand);
        this.connectTimeoutMs = connectTimeoutMs;
        this.log = log;
    }

    /** The locator a program gets: directory from {@code -Djgluon.data} or {@code JGLUON_DATA}, download and apt on. */
    public static DatasetLocator defaults() {
        Path dir = null;
        String source = null;
        String prop = System.getProperty("jgluon.data");
        String env = System.getenv("JGLUON_DATA");
        if (prop != null && !prop.isBlank()) {
            dir = Path.of(prop.trim());
            // front ends copy --data and JGLUON_DATA into the property; name what the user set
            source = prop.equals(env) ? "JGLUON_DATA" : "--data / -Djgluon.data";
        } else if (env != null && !env.isBlank()) {
            dir = Path.of(env.trim());
            source = "JGLUON_DATA";
        }
        Path home = Path.of(System.getProperty("user.home", "."));
        return new DatasetLocator(dir, source, home.resolve(".jgluon").resolve("datasets"),
                Path.of("/usr/share/datasets"), true, true, List.of("apt-get"), 4000, System.err);
    }

    /** Uses {@code dir} as the explicit data directory ({@code null} keeps the current one). */
    public DatasetLocator withDataDir(Path dir, String source) {
        if (dir == null) return this;
        return new DatasetLocator(dir, source, cacheRoot, systemRoot, download, apt, aptCommand, connectTimeoutMs, log);
    }

    /** No explicit directory, whatever the environment says. */
    public DatasetLocator withoutDataDir() {
        return new DatasetLocator(null, null, cacheRoot, systemRoot, download, apt, aptCommand, connectTimeoutMs, log);
    }

    public DatasetLocator withCacheRoot(Path root) {
        return new DatasetLocator(dataDir, dataDirSource, root, systemRoot, download, apt, aptCommand, connectTimeoutMs, log);
    }

    public DatasetLocator withSystemRoot(Path root) {
        return new DatasetLocator(dataDir, dataDirSource, cacheRoot, root, download, apt, aptCommand, connectTimeoutMs, log);
    }

    public DatasetLocator withDownload(boolean on) {
        return new DatasetLocator(dataDir, dataDirSource, cacheRoot, systemRoot, on, apt, aptCommand, connectTimeoutMs, log);
    }

    public DatasetLocator withApt(boolean on) {
        return new DatasetLocator(dataDir, dataDirSource, cacheRoot, systemRoot, download, on, aptCommand, connectTimeoutMs, log);
    }

    /** The program run as apt-get (tests substitute a script); apt is tried only as root. */
    public DatasetLocator withAptCommand(List<String> command) {
        return new DatasetLocator(dataDir, dataDirSource, cacheRoot, systemRoot, download, apt, command, connectTimeoutMs, log);
    }

    public DatasetLocator withConnectTimeoutMs(int ms) {
        return new DatasetLocator(dataDir, dataDirSource, cacheRoot, systemRoot, download, apt, aptCommand, ms, log);
    }

    public DatasetLocator withLog(PrintStream out) {
        return new DatasetLocator(dataDir, dataDirSource, cacheRoot, systemRoot, download, apt, aptCommand, connectTimeoutMs, out);
    }

    public Path cacheDir(DatasetSpec spec) {
        return cacheRoot.resolve(spec.name());
    }

    public Path systemDir(DatasetSpec spec) {
        return systemRoot.resolve(spec.name());
    }

    /** The (images, labels) files of one split. */
    public record SplitFiles(Path images, Path labels) {}

    /** Finds (or fetches) the files of the training or test split of {@code spec}. */
    public SplitFiles locate(DatasetSpec spec, boolean train) {
        List<String> wanted = spec.files(train);
        if (dataDir != null) {
            for (Path d : List.of(dataDir, dataDir.resolve(spec.name()))) {
                SplitFiles f = find(d, wanted);
                if (f != null) return f;
            }
            throw new DataNotFoundException(spec.displayName() + ": the data directory " + dataDir + " (from "
                    + dataDirSource + ") holds no " + String.join(" and ", wanted) + " (looked in " + dataDir
                    + " and " + dataDir.resolve(spec.name()) + ").\n" + howToGet(spec));
        }
        List<String> tried = new ArrayList<>();
        Path cache = cacheDir(spec);
        SplitFiles f = find(cache, wanted);
        if (f != null) return f;
        tried.add(cache + " (user cache): " + missing(cache, wanted));
        Path system = systemDir(spec);
        f = find(system, wanted);
        if (f != null) return f;
        tried.add(system + (spec.debianPackage() == null ? "" : " (package " + spec.debianPackage() + ")") + ": "
                + missing(system, wanted));
        if (download) {
            String failure = download(spec, cache);
            if (failure == null) {
                f = find(cache, wanted);
                if (f != null) return f;
                failure = "the files are still missing after the download";
            }
            tried.add("download into " + cache + ": " + failure);
        } else {
            tried.add("download: disabled");
        }
        String aptResult = installPackage(spec, system);
        if (aptResult == null) {
            f = find(system, wanted);
            if (f != null) return f;
            aptResult = "the package installed but " + system + " still lacks " + missing(system, wanted);
        }
        tried.add("apt-get: " + aptResult);
        StringBuilder msg = new StringBuilder(spec.displayName() + " not found. Tried:\n");
        for (String t : tried) msg.append("  - ").append(t).append('\n');
        throw new DataNotFoundException(msg + howToGet(spec));
    }

    /** The exact ways to get the data, as the final error lists them. */
    public String howToGet(DatasetSpec spec) {
        StringBuilder b = new StringBuilder("Get " + spec.displayName() + " in one of these ways:\n");
        int n = 1;
        b.append("  ").append(n++).append(". point jgluon at a directory holding the files: --data DIR or JGLUON_DATA=DIR\n");
        if (spec.debianPackage() != null) {
            b.append("  ").append(n++).append(". install the Debian/Ubuntu package: sudo apt-get install ")
                    .append(spec.debianPackage()).append(" (puts them in ").append(systemDir(spec)).append(")\n");
        }
        b.append("  ").append(n).append(". download ").append(String.join(", ", spec.allFiles())).append("\n     from ")
                .append(spec.mirrors().get(0)).append(" into ").append(cacheDir(spec));
        return b.toString();
    }

    private static SplitFiles find(Path dir, List<String> wanted) {
        Path images = existing(dir, wanted.get(0));
        Path labels = existing(dir, wanted.get(1));
        return images != null && labels != null ? new SplitFiles(images, labels) : null;
    }

    /** {@code name} in {@code dir}, or its uncompressed twin. */
    private static Path existing(Path dir, String name) {
        Path p = dir.resolve(name);
        if (Files.isRegularFile(p)) return p;
        if (name.endsWith(".gz")) {
            Path raw = dir.resolve(name.substring(0, name.length() - 3));
            if (Files.isRegularFile(raw)) return raw;
        }
        return null;
    }

    private static String missing(Path dir, List<String> wanted) {
        if (!Files.isDirectory(dir)) return "no such directory";
        List<String> m = new ArrayList<>();
        for (String w : wanted) if (existing(dir, w) == null) m.add(w);
        return "missing " + String.join(", ", m);
    }

    // ---- download -------------------------------------------------------------------------

    /** Downloads the four files into {@code dir}; null on success, else why not. */
    private String download(DatasetSpec spec, Path dir) {
        boolean created = !Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return "cannot create " + dir + " (" + e + ")";
        }
        List<String> errors = new ArrayList<>();
        for (String mirror : spec.mirrors()) {
            log.println("jgluon: downloading " + spec.displayName() + " from " + mirror + " into " + dir);
            try {
                for (String file : spec.allFiles()) {
                    if (existing(dir, file) == null) fetch(URI.create(mirror + file), dir.resolve(file), spec.md5().get(file));
                }
                return null;
            } catch (IOException | RuntimeException e) {
                errors.add(mirror + ": " + e);
            }
        }
        if (created) {
            try {
                Files.deleteIfExists(dir); // only succeeds while empty: leave no trace of a failed attempt
            } catch (IOException ignored) {
                // files from a partly successful mirror stay for the next attempt
            }
        }
        return errors.isEmpty() ? "no mirrors" : String.join("; ", errors);
    }

    private void fetch(URI uri, Path target, String md5) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            URLConnection c = uri.toURL().openConnection();
            c.setConnectTimeout(connectTimeoutMs);
            c.setReadTimeout(Math.max(connectTimeoutMs, 20_000));
            if (c instanceof HttpURLConnection h && h.getResponseCode() != 200) {
                throw new IOException(uri + " answered HTTP " + h.getResponseCode());
            }
            MessageDigest digest = md5Digest();
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, r);
                    out.write(buf, 0, r);
                }
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (md5 != null && !md5.equalsIgnoreCase(got)) {
                throw new IOException(uri + " has MD5 " + got + ", want " + md5 + " (corrupt or changed download)");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }

    // ---- apt --------------------------------------------------------------------------------

    /** Installs the Debian package when allowed and possible; null on success, else why not. */
    private String installPackage(DatasetSpec spec, Path system) {
        if (spec.debianPackage() == null) return "no Debian package for " + spec.displayName();
        if (!apt) return "disabled";
        if (!isRoot()) return "not tried (not running as root)";
        if (!onPath(aptCommand.get(0))) return "not tried (" + aptCommand.get(0) + " not found)";
        if (!systemRoot.equals(Path.of("/usr/share/datasets")) && aptCommand.equals(List.of("apt-get"))) {
            return "not tried (the package installs into /usr/share/datasets, not " + systemRoot + ")";
        }
        log.println("jgluon: " + spec.displayName() + " not found; installing the Debian package " + spec.debianPackage()
                + " (apt-get install -y " + spec.debianPackage() + ")");
        String first = runApt("install", "-y", spec.debianPackage());
        if (first == null) return null;
        String update = runApt("update");
        String second = runApt("install", "-y", spec.debianPackage());
        if (second == null) return null;
        return "apt-get install -y " + spec.debianPackage() + " failed: " + second
                + (update == null ? "" : "; apt-get update failed too: " + update);
    }

    /** Runs apt with {@code args}; null on success, else the tail of its output. */
    private String runApt(String... args) {
        List<String> cmd = new ArrayList<>(aptCommand);
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "timed out";
            }
            if (p.exitValue() == 0) return null;
            String text = new String(out, StandardCharsets.UTF_8).strip();
            int cut = Math.max(0, text.length() - 300);
            return "exit " + p.exitValue() + (text.isEmpty() ? "" : " (" + text.substring(cut).replace('\n', ' ') + ")");
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.substring(4).trim().split("\\s+")[1].equals("0");
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall back to the user name
        }
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) return Files.isExecutable(Path.of(program));
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "DatasetLocator(dataDir " + dataDir + ", cache " + cacheRoot + ", system " + systemRoot
                + ", download " + download + ", apt " + apt + ")";
    }
}
