package org.jgluon.repl.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checkpoints of a run, in {@code RUN/checkpoint/}. An epoch's files (parameters, optimizer
 * states, {@code state.json}) are written into {@code epoch-NNNN.partial/}, which is renamed to
 * {@code epoch-NNNN/} once complete; only then does {@code latest.json} (itself written
 * atomically) point at it, and the older ones are removed. A run killed at any moment therefore
 * leaves {@code latest.json} naming a complete checkpoint, or no checkpoint at all.
 */
final class Checkpoints {

    static final String DIR = "checkpoint";
    static final String LATEST = "latest.json";
    static final String STATE = "state.json";

    private final Path root;

    Checkpoints(Path runDir) {
        this.root = runDir.resolve(DIR);
    }

    static String name(int epoch) {
        return String.format("epoch-%04d", epoch);
    }

    /** A fresh, empty directory for epoch {@code epoch}'s files. */
    Path begin(int epoch) {
        Path partial = root.resolve(name(epoch) + ".partial");
        try {
            deleteTree(partial);
            Files.createDirectories(partial);
        } catch (IOException e) {
            throw new UncheckedIOException("report: cannot create the checkpoint directory " + partial + ": "
                    + AtomicFiles.describe(e), e);
        }
        return partial;
    }

    /** Completes epoch {@code epoch}'s checkpoint: writes its state, makes it the latest, drops the older ones. */
    void commit(int epoch, Map<String, Object> state) {
        Path partial = root.resolve(name(epoch) + ".partial");
        Path done = root.resolve(name(epoch));
        if (!Files.isDirectory(partial)) {
            throw new IllegalStateException("report.commitCheckpoint(" + epoch + "): no checkpoint was begun for epoch "
                    + epoch + " — call report.checkpointDir(" + epoch + ") first and write the files there");
        }
        try {
            AtomicFiles.writeString(partial.resolve(STATE), Json.write(state));
            deleteTree(done);
            AtomicFiles.moveOver(partial, done);
            Map<String, Object> latest = new LinkedHashMap<>();
            latest.put("epoch", epoch);
            latest.put("dir", done.getFileName().toString());
            AtomicFiles.writeString(root.resolve(LATEST), Json.write(latest));
            try (Stream<Path> old = Files.list(root)) {
                for (Path p : old.filter(p -> Files.isDirectory(p) && !p.equals(done)
                        && p.getFileName().toString().startsWith("epoch-")).toList()) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("report: cannot complete the checkpoint of epoch " + epoch + " in " + root
                    + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** The last complete checkpoint: its directory and its state, or null when there is none. */
    Latest latest() {
        Path file = root.resolve(LATEST);
        if (!Files.isRegularFile(file)) return null;
        try {
            Map<?, ?> latest = (Map<?, ?>) Json.parse(Files.readString(file));
            Path dir = root.resolve(String.valueOf(latest.get("dir")));
            @SuppressWarnings("unchecked")
            Map<String, Object> state = (Map<String, Object>) Json.parse(Files.readString(dir.resolve(STATE)));
            return new Latest(((Number) latest.get("epoch")).intValue(), dir, state);
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("report: the checkpoint in " + root + " cannot be read ("
                    + e.getMessage() + ") — start a new run instead of resuming this one", e);
        }
    }

    record Latest(int epoch, Path dir, Map<String, Object> state) {}

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
