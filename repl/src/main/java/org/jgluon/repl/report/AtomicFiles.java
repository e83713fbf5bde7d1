package org.jgluon.repl.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that a reader (or a resumed run after Ctrl-C or a crash) sees either the old
 * content or the new one, never half a file: write a temporary file beside it, then rename it
 * over the target.
 */
final class AtomicFiles {

    private AtomicFiles() {}

    static void writeString(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path target, byte[] bytes) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            moveOver(tmp, target);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write already failed; report that one
            }
            throw new UncheckedIOException("report: cannot write " + target + ": " + describe(e), e);
        }
    }

    /** Renames {@code from} to {@code to}, replacing it, atomically where the file system allows. */
    static void moveOver(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** An IOException's message is often just the path; say what kind of failure it was. */
    static String describe(IOException e) {
        String kind = e.getClass().getSimpleName()
                .replace("Exception", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase();
        return e.getMessage() == null ? kind : kind + " (" + e.getMessage() + ")";
    }
}
